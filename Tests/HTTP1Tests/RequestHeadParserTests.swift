import XCTest
@testable import HTTP1

final class RequestHeadParserTests: XCTestCase {
    func testGet() throws {
        let bytes = wire("GET /chat?room=1 HTTP/1.1\nHost: example.org\nAccept: */*\n\n")
        let (head, length) = try completeRequest(bytes)
        XCTAssertEqual(length, bytes.count)
        XCTAssertEqual(head, RequestHead(method: "GET", target: "/chat?room=1", version: .http11,
                                         headers: HTTPHeaders([("Host", "example.org"), ("Accept", "*/*")]),
                                         framing: .none, keepAlive: true))
    }

    func testPostWithContentLength() throws {
        let (head, _) = try completeRequest(wire("POST /publish/ HTTP/1.1\nHost: a\nContent-Length: 42\n\n"))
        XCTAssertEqual(head.framing, .contentLength(42))
    }

    func testChunkedPost() throws {
        let (head, _) = try completeRequest(wire("POST /p HTTP/1.1\nHost: a\nTransfer-Encoding: chunked\n\n"))
        XCTAssertEqual(head.framing, .chunked)
    }

    func testTransferCodingNamesIgnoreCaseAndEmptyListElements() throws {
        let (head, _) = try completeRequest(wire("POST /p HTTP/1.1\nHost: a\nTransfer-Encoding: , CHUNKED \n\n"))
        XCTAssertEqual(head.framing, .chunked)
    }

    func testAbsoluteForm() throws {
        let (head, _) = try completeRequest(wire("GET http://example.org:8080/a/b?c=d HTTP/1.1\nHost: example.org:8080\n\n"))
        XCTAssertEqual(head.target, "http://example.org:8080/a/b?c=d")
    }

    /// `_` is a token character: such a field is kept, but only the dashed name frames a body
    /// (the proxy drops the other before forwarding, docs/architecture.md).
    func testUnderscoreNamesAreOrdinaryFields() throws {
        let (head, _) = try completeRequest(wire("POST /p HTTP/1.1\nHost: a\nTransfer_Encoding: chunked\nContent-Length: 2\n\n"))
        XCTAssertEqual(head.framing, .contentLength(2))
        XCTAssertEqual(head.headers["transfer_encoding"], "chunked")
    }

    func testAsteriskAndAuthorityForms() throws {
        XCTAssertEqual(try completeRequest(wire("OPTIONS * HTTP/1.1\nHost: a\n\n")).0.target, "*")
        XCTAssertEqual(try completeRequest(wire("CONNECT example.org:443 HTTP/1.1\nHost: example.org:443\n\n")).0.target,
                       "example.org:443")
        XCTAssertEqual(try completeRequest(wire("CONNECT [::1]:443 HTTP/1.1\nHost: [::1]:443\n\n")).0.target, "[::1]:443")
    }

    func testQueriesWithCharactersBrowsersLeaveUnescaped() throws {
        let (head, _) = try completeRequest(wire("GET /a?ids[]=1&q={x}|^`%20 HTTP/1.1\nHost: a\n\n"))
        XCTAssertEqual(head.target, "/a?ids[]=1&q={x}|^`%20")
    }

    func testHeaderValuesAreTrimmedAndKeepInnerWhitespace() throws {
        let (head, _) = try completeRequest(wire("GET / HTTP/1.1\nHost:a\nX-A: \t one  two \t\nX-Empty:\nX-Utf8: caf\u{e9}\n\n"))
        XCTAssertEqual(head.headers.fields.map(\.value), ["a", "one  two", "", "caf\u{e9}"])
    }

    func testKeepAliveDefaults() throws {
        XCTAssertTrue(try completeRequest(wire("GET / HTTP/1.1\nHost: a\n\n")).0.keepAlive)
        XCTAssertFalse(try completeRequest(wire("GET / HTTP/1.1\nHost: a\nConnection: Close\n\n")).0.keepAlive)
        XCTAssertFalse(try completeRequest(wire("GET / HTTP/1.0\n\n")).0.keepAlive)
        XCTAssertTrue(try completeRequest(wire("GET / HTTP/1.0\nConnection: foo, Keep-Alive\n\n")).0.keepAlive)
        XCTAssertFalse(try completeRequest(wire("GET / HTTP/1.0\nConnection: keep-alive, close\n\n")).0.keepAlive)
    }

    func testHTTP10WithoutHostAndEmptyHost() throws {
        XCTAssertEqual(try completeRequest(wire("GET / HTTP/1.0\n\n")).0.version, .http10)
        XCTAssertEqual(try completeRequest(wire("GET / HTTP/1.1\nHost:\n\n")).0.headers["host"], "")
    }

    func testPipelinedRequestsStartAfterHeadLength() throws {
        let first = wire("POST /a HTTP/1.1\nHost: a\nContent-Length: 5\n\n")
        let second = wire("GET /b HTTP/1.1\nHost: a\n\n")
        let bytes = first + Array("hello".utf8) + second
        let (head, length) = try completeRequest(bytes)
        XCTAssertEqual(head.target, "/a")
        XCTAssertEqual(length, first.count)
        let (next, nextLength) = try completeRequest(Array(bytes[(length + 5)...]))
        XCTAssertEqual(next.target, "/b")
        XCTAssertEqual(nextLength, second.count)
    }

    func testLeadingEmptyLinesAreSkippedUpToALimit() throws {
        let request = wire("GET / HTTP/1.1\nHost: a\n\n")
        let skipped = Array(repeating: wire("\n"), count: RequestHeadParser.maxLeadingEmptyLines).flatMap { $0 }
        let (head, length) = try completeRequest(skipped + request)
        XCTAssertEqual(head.target, "/")
        XCTAssertEqual(length, skipped.count + request.count)
        assertRejected(skipped + wire("\n") + request, status: 400)
    }

    func testEveryValidRequestGivesTheSameHeadAtEverySplit() throws {
        let requests = [
            "GET /chat?room=1 HTTP/1.1\nHost: example.org\nAccept: */*\n\n",
            "POST /publish/ HTTP/1.1\nHost: a\nContent-Length: 42\nConnection: close\n\n",
            "POST /p HTTP/1.1\nHost: a\nTransfer-Encoding: chunked\n\n",
            "GET http://example.org/x HTTP/1.1\nHost: example.org\n\n",
            "\nGET / HTTP/1.0\nX-Folded-Looking: a b\n\n",
            "OPTIONS * HTTP/1.1\nHost: a\n\n",
        ]
        for request in requests { try assertSameAtEverySplit(wire(request)) }
    }

    func testBodyBytesAfterTheHeadAreLeftAlone() throws {
        let head = wire("POST / HTTP/1.1\nHost: a\nContent-Length: 4\n\n")
        XCTAssertEqual(try completeRequest(head + wire("\n\nxy")).1, head.count)
    }

    func testLimitsAreInclusive() throws {
        let bytes = wire("GET /abcd HTTP/1.1\nHost: a\nB: c\n\n")
        let limits = HTTPLimits(maxHeaderBytes: bytes.count, maxURIBytes: 5, maxHeaders: 2, maxBodyBytes: 0)
        try assertSameAtEverySplit(bytes, limits: limits)
        XCTAssertEqual(try completeRequest(wire("POST / HTTP/1.1\nHost: a\nContent-Length: 10\n\n"),
                                           limits: HTTPLimits(maxBodyBytes: 10)).0.framing, .contentLength(10))
    }
}
