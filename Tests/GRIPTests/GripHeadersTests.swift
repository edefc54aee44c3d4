import GRIP
import XCTest

final class GripHeadersTests: XCTestCase {
    private func parse(_ headers: [(String, String)]) throws -> HoldInstruction? {
        try GripHeaders.parseHold(headers.map { (name: $0.0, value: $0.1) })
    }

    private func reason(_ headers: [(String, String)], file: StaticString = #filePath, line: UInt = #line) -> String {
        errorReason(GripHeaderError.self, file: file, line: line) { try parse(headers) }
    }

    func testNoGripHoldMeansNoInstructionEvenWithOtherGripHeaders() throws {
        XCTAssertNil(try parse([("Content-Type", "text/plain")]))
        XCTAssertNil(try parse([("Grip-Channel", "news"), ("Grip-Timeout", "not checked without a hold")]))
    }

    func testMinimalResponseHold() throws {
        let instruction = try parse([("Grip-Hold", "response"), ("Grip-Channel", "news")])
        XCTAssertEqual(instruction, HoldInstruction(mode: .response, channels: [ChannelSubscription(name: "news")]))
    }

    func testStreamHoldWithHeaderNamesInAnyCase() throws {
        let instruction = try parse([("GRIP-HOLD", "stream"), ("grip-channel", "a")])
        XCTAssertEqual(instruction?.mode, .stream)
        XCTAssertEqual(instruction?.channels, [ChannelSubscription(name: "a")])
    }

    func testChannelsFromSeveralHeadersAndCommaListsWithPrevIDs() throws {
        let instruction = try parse([
            ("Grip-Hold", "response"),
            ("Grip-Channel", "a, b; prev-id=7"),
            ("Grip-Channel", "  c ;prev-id=\"x, y; z\" , d;filter=skip-self"),
        ])
        XCTAssertEqual(instruction?.channels, [
            ChannelSubscription(name: "a"),
            ChannelSubscription(name: "b", prevID: "7"),
            ChannelSubscription(name: "c", prevID: "x, y; z"),
            ChannelSubscription(name: "d"),
        ])
    }

    func testQuotedChannelNameAndEscapesInQuotedValues() throws {
        let instruction = try parse([("Grip-Hold", "response"), ("Grip-Channel", #""room 1"; prev-id="a\"b""#)])
        XCTAssertEqual(instruction?.channels, [ChannelSubscription(name: "room 1", prevID: #"a"b"#)])
    }

    func testRepeatedChannelIsKeptOnceWithItsFirstPrevID() throws {
        let instruction = try parse([("Grip-Hold", "response"), ("Grip-Channel", "a; prev-id=1, a; prev-id=2")])
        XCTAssertEqual(instruction?.channels, [ChannelSubscription(name: "a", prevID: "1")])
    }

    func testHoldWithoutChannelsIsAnError() {
        XCTAssertEqual(reason([("Grip-Hold", "response")]), "Grip-Hold needs at least one channel in Grip-Channel; got none")
    }

    func testUnknownHoldModeIsAnError() {
        XCTAssertEqual(reason([("Grip-Hold", "forever"), ("Grip-Channel", "a")]),
                       #"Grip-Hold expects response or stream; got "forever""#)
    }

    func testHoldModeIgnoresCaseAndIsCheckedBeforeChannels() throws {
        XCTAssertEqual(try parse([("Grip-Hold", " Response "), ("Grip-Channel", "a")])?.mode, .response)
        XCTAssertEqual(reason([("Grip-Hold", "later")]), #"Grip-Hold expects response or stream; got "later""#)
    }

    func testEmptyChannelNameIsAnError() {
        XCTAssertEqual(reason([("Grip-Hold", "response"), ("Grip-Channel", "a,,b")]),
                       #"Grip-Channel has an empty channel name in "a,,b""#)
    }

    func testUnterminatedQuoteIsAnError() {
        XCTAssertEqual(reason([("Grip-Hold", "response"), ("Grip-Channel", #"a; prev-id="7"#)]),
                       #"Grip-Channel has an unterminated quoted string in "a; prev-id="7""#)
    }

    func testTextAfterQuotedStringIsAnError() {
        XCTAssertEqual(reason([("Grip-Hold", "response"), ("Grip-Channel", #"a; prev-id="7"x"#)]),
                       #"Grip-Channel has text after a quoted string: "7"x"#)
    }

    func testParameterGivenTwiceIsAnError() {
        XCTAssertEqual(reason([("Grip-Hold", "response"), ("Grip-Channel", "a; prev-id=1; prev-id=2")]),
                       "Grip-Channel gives the prev-id parameter 2 times; expected it once")
    }

    func testSingleValuedHeaderGivenTwiceIsAnError() {
        XCTAssertEqual(reason([("Grip-Hold", "response"), ("Grip-Hold", "stream"), ("Grip-Channel", "a")]),
                       #"Grip-Hold expected once; got "response" and "stream""#)
    }

    func testTimeoutIsHonouredDownToOneSecond() throws {
        let base = [("Grip-Hold", "response"), ("Grip-Channel", "a")]
        XCTAssertEqual(try parse(base + [("Grip-Timeout", "1")])?.timeout, .seconds(1))
        XCTAssertEqual(try parse(base + [("Grip-Timeout", " 60 ")])?.timeout, .seconds(60))
        XCTAssertNil(try parse(base)?.timeout)
    }

    func testInvalidTimeoutsAreErrors() {
        let base = [("Grip-Hold", "response"), ("Grip-Channel", "a")]
        for value in ["0", "-5", "1.5", "soon", "", "+3"] {
            XCTAssertEqual(reason(base + [("Grip-Timeout", value)]),
                           "Grip-Timeout expects whole seconds, at least 1; got \"\(value)\"")
        }
    }

    func testStatusWithAndWithoutReason() throws {
        let base = [("Grip-Hold", "response"), ("Grip-Channel", "a")]
        XCTAssertEqual(try parse(base + [("Grip-Status", "404 Not Found")])?.status, GripStatus(code: 404, reason: "Not Found"))
        XCTAssertEqual(try parse(base + [("Grip-Status", "200")])?.status, GripStatus(code: 200, reason: ""))
        XCTAssertEqual(try parse(base + [("Grip-Status", " 503  Try Later ")])?.status, GripStatus(code: 503, reason: "Try Later"))
    }

    func testInvalidStatusesAreErrors() {
        let base = [("Grip-Hold", "response"), ("Grip-Channel", "a")]
        for value in ["OK", "99", "100 Continue", "101", "103 Early Hints", "199", "600 Nope", "2000", "20x OK", ""] {
            XCTAssertEqual(reason(base + [("Grip-Status", value)]),
                           "Grip-Status expects a final status code from 200 to 599, then an optional reason; got \"\(value)\"")
        }
    }

    func testNextLinkWithAndWithoutTimeout() throws {
        let base = [("Grip-Hold", "stream"), ("Grip-Channel", "a")]
        XCTAssertEqual(try parse(base + [("Grip-Link", "</path?after=7>; rel=next")])?.nextLink,
                       GripLink(url: "/path?after=7"))
        XCTAssertEqual(try parse(base + [("Grip-Link", #"</s?a=1,b=2>; rel="next"; timeout=30"#)])?.nextLink,
                       GripLink(url: "/s?a=1,b=2", timeout: .seconds(30)))
    }

    func testLinksWithOtherRelationsAreIgnored() throws {
        let base = [("Grip-Hold", "stream"), ("Grip-Channel", "a")]
        XCTAssertNil(try parse(base + [("Grip-Link", "</gone>; rel=gone")])?.nextLink)
        XCTAssertNil(try parse(base + [("Grip-Link", "</x>")])?.nextLink)
        XCTAssertEqual(try parse(base + [("Grip-Link", "</gone>; rel=gone, </more>; rel=next")])?.nextLink,
                       GripLink(url: "/more"))
    }

    func testInvalidNextLinksAreErrors() {
        let base = [("Grip-Hold", "stream"), ("Grip-Channel", "a")]
        XCTAssertEqual(reason(base + [("Grip-Link", "/path; rel=next")]),
                       #"Grip-Link expects <URL>; rel=next with a URL without spaces; got "/path""#)
        XCTAssertEqual(reason(base + [("Grip-Link", "<>; rel=next")]),
                       #"Grip-Link expects <URL>; rel=next with a URL without spaces; got "<>""#)
        XCTAssertEqual(reason(base + [("Grip-Link", "</a>; rel=next"), ("Grip-Link", "</b>; rel=next")]),
                       "Grip-Link expects one link with rel=next; got several")
        XCTAssertEqual(reason(base + [("Grip-Link", "</a>; rel=next; timeout=0")]),
                       #"Grip-Link timeout expects whole seconds, at least 1; got "0""#)
        XCTAssertEqual(reason(base + [("Grip-Link", "</a; rel=next")]),
                       #"Grip-Link has an unterminated <…> in "</a; rel=next""#)
    }

    func testEveryInstructionTogether() throws {
        let instruction = try parse([
            ("Content-Type", "text/event-stream"),
            ("Grip-Hold", "stream"),
            ("Grip-Channel", "a; prev-id=3"),
            ("Grip-Timeout", "30"),
            ("Grip-Keep-Alive", #"\n; format=cstring; timeout=15"#),
            ("Grip-Status", "201 Created"),
            ("Grip-Link", "</next>; rel=next; timeout=60"),
            ("Grip-Expose-Headers", "X-Ignored"),
        ])
        XCTAssertEqual(instruction, HoldInstruction(
            mode: .stream, channels: [ChannelSubscription(name: "a", prevID: "3")], timeout: .seconds(30),
            keepAlive: KeepAlive(data: [10], interval: .seconds(15)), status: GripStatus(code: 201, reason: "Created"),
            nextLink: GripLink(url: "/next", timeout: .seconds(60))))
    }

    func testIsGripHeaderIgnoresCase() {
        XCTAssertTrue(GripHeaders.isGripHeader("Grip-Hold"))
        XCTAssertTrue(GripHeaders.isGripHeader("GRIP-SIG"))
        XCTAssertTrue(GripHeaders.isGripHeader("grip-anything"))
        XCTAssertFalse(GripHeaders.isGripHeader("Grip"))
        XCTAssertFalse(GripHeaders.isGripHeader("Gripe-Hold"))
        XCTAssertFalse(GripHeaders.isGripHeader("X-Grip-Hold"))
        XCTAssertFalse(GripHeaders.isGripHeader(""))
    }
}
