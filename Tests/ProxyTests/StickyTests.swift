import Config
import HTTP1
import XCTest
@testable import Proxy

final class StickyTests: XCTestCase {
    private func key(_ rule: StickyKey, _ headers: [(name: String, value: String)] = [], target: String = "/", clientIP: String = "192.0.2.1") -> String? {
        StickyKeyExtractor.key(rule, headers: HTTPHeaders(headers), target: target, clientIP: clientIP)
    }

    func testCookieFromAList() {
        XCTAssertEqual(key(.cookie("sid"), [("Cookie", "sid=abc")]), "abc")
        XCTAssertEqual(key(.cookie("sid"), [("Cookie", "a=1; sid=abc; b=2")]), "abc")
        XCTAssertEqual(key(.cookie("sid"), [("cookie", "a=1;sid=abc")]), "abc")
        XCTAssertEqual(key(.cookie("sid"), [("Cookie", "xsid=1; sidx=2; sid=3")]), "3")
        XCTAssertEqual(key(.cookie("sid"), [("Cookie", "sid=a=b")]), "a=b")
    }

    func testCookieOverSeveralCookieHeadersFirstWins() {
        let headers = [("Cookie", "a=1"), ("Accept", "*/*"), ("Cookie", "sid=second; b=2"), ("Cookie", "sid=third")]
        XCTAssertEqual(key(.cookie("sid"), headers), "second")
    }

    func testQuotedCookieValueLosesItsQuotes() {
        XCTAssertEqual(key(.cookie("sid"), [("Cookie", "a=1; sid=\"abc def\"")]), "abc def")
        XCTAssertEqual(key(.cookie("sid"), [("Cookie", "sid=\"")]), "\"")
    }

    func testCookieNameIsCaseSensitive() {
        XCTAssertNil(key(.cookie("sid"), [("Cookie", "SID=abc")]))
    }

    func testMissingOrEmptyCookieIsNoKey() {
        XCTAssertNil(key(.cookie("sid"), []))
        XCTAssertNil(key(.cookie("sid"), [("Cookie", "other=1")]))
        XCTAssertNil(key(.cookie("sid"), [("Cookie", "sid=")]))
        XCTAssertNil(key(.cookie("sid"), [("Cookie", "sid=\"\"")]))
        XCTAssertNil(key(.cookie("sid"), [("Cookie", "sid")]))
    }

    func testHeader() {
        XCTAssertEqual(key(.header("X-Session"), [("x-session", " s-1 ")]), "s-1")
        XCTAssertEqual(key(.header("x-session"), [("X-Session", "first"), ("X-Session", "second")]), "first")
        XCTAssertNil(key(.header("X-Session"), [("X-Other", "s-1")]))
        XCTAssertNil(key(.header("X-Session"), [("X-Session", "")]))
    }

    func testQueryParameterIsPercentDecoded() {
        XCTAssertEqual(key(.query("sid"), target: "/poll?sid=abc"), "abc")
        XCTAssertEqual(key(.query("sid"), target: "/poll?a=1&sid=a%2Fb%3d&c=3"), "a/b=")
        XCTAssertEqual(key(.query("sid"), target: "/poll?sid=a+b"), "a b")
        XCTAssertEqual(key(.query("sid"), target: "/poll?s%69d=encoded-name"), "encoded-name")
        XCTAssertEqual(key(.query("sid"), target: "/poll?sid=%C3%A9t%C3%A9"), "été")
        XCTAssertEqual(key(.query("sid"), target: "/poll?sid=100%&x=%zz"), "100%")
        XCTAssertEqual(key(.query("sid"), target: "/poll?sid=first&sid=second"), "first")
    }

    func testQueryParameterInAbsoluteFormTargetAndBeforeFragment() {
        XCTAssertEqual(key(.query("sid"), target: "http://example.org:8080/poll?sid=abc"), "abc")
        XCTAssertEqual(key(.query("sid"), target: "/poll?sid=abc#sid=other"), "abc")
    }

    func testMissingOrEmptyQueryParameterIsNoKey() {
        XCTAssertNil(key(.query("sid"), target: "/poll"))
        XCTAssertNil(key(.query("sid"), target: "/poll?"))
        XCTAssertNil(key(.query("sid"), target: "/poll?sidx=1&xsid=2"))
        XCTAssertNil(key(.query("sid"), target: "/poll?sid"))
        XCTAssertNil(key(.query("sid"), target: "/poll?sid="))
        XCTAssertNil(key(.query("sid"), target: "/poll#?sid=1"))
    }

    func testClientIP() {
        XCTAssertEqual(key(.clientIP, clientIP: "2001:db8::7"), "2001:db8::7")
        XCTAssertNil(key(.clientIP, clientIP: ""))
    }

    func testNoneHasNoKey() {
        XCTAssertNil(key(.none, [("Cookie", "sid=abc")], target: "/?sid=abc"))
    }
}
