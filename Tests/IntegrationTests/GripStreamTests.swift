import XCTest

/// `Grip-Hold: stream` (docs/grip.md): the backend's body now, published `http-stream` content after it.
final class GripStreamTests: ScenarioTestCase {
    /// Opens a held stream on `channel` and checks its head and initial body.
    private func openStream(_ proxy: Holdfast, channel: String, _ parameters: [(String, String)] = [],
                            file: StaticString = #filePath, line: UInt = #line) throws -> HTTPClient {
        let client = try proxy.client()
        try client.sendRequest("GET", holdTarget(mode: "stream", channels: channel, [("body", "start\n")] + parameters))
        let head = try client.readResponseHead()
        XCTAssertEqual(head.status, 200, file: file, line: line)
        XCTAssertEqual(head.header("Transfer-Encoding"), "chunked", file: file, line: line)
        XCTAssertEqual(gripHeaderNames(head), [], file: file, line: line)
        XCTAssertEqual(try client.readStream(until: "the initial body") { $0 == "start\n" }, "start\n", file: file, line: line)
        try proxy.control.waitUntilHeld(1)
        return client
    }

    func testPublishedContentIsAppendedInPublishOrder() throws {
        let proxy = try startProxy()
        let client = try openStream(proxy, channel: "feed")

        XCTAssertEqual(try proxy.control.publish(items: [httpStreamItem(channel: "feed", content: "one\n"),
                                                         httpStreamItem(channel: "feed", content: "two\n")]), 1)
        XCTAssertEqual(try proxy.control.publish(items: [httpStreamItem(channel: "feed", content: "three\n")]), 1)

        let text = try client.readStream(until: "three published items") { $0.count >= "one\ntwo\nthree\n".count }
        XCTAssertEqual(text, "one\ntwo\nthree\n")
    }

    func testCloseActionEndsTheStreamCleanly() throws {
        let proxy = try startProxy()
        let client = try openStream(proxy, channel: "closing")

        XCTAssertEqual(try proxy.control.publish(items: [httpStreamItem(channel: "closing", content: "last\n"),
                                                         httpStreamItem(channel: "closing", action: "close")]), 1)

        XCTAssertEqual(try client.readStream(until: "the last item") { $0 == "last\n" }, "last\n")
        XCTAssertNil(try client.readBodyPart(timeout: .seconds(3)), "the terminating chunk expected after the close action")
        try proxy.control.waitUntilHeld(0)
    }

    func testKeepAliveDataIsSentWhenIdle() throws {
        let proxy = try startProxy()
        let client = try openStream(proxy, channel: "idle", [("keepalive", "ping\\n; format=cstring; timeout=1")])

        let (text, elapsed) = try timed { try client.readStream(until: "keep-alive data", timeout: .seconds(4)) { $0 == "ping\n" } }

        XCTAssertEqual(text, "ping\n")
        XCTAssertGreaterThanOrEqual(elapsed, .milliseconds(800), "keep-alive expected only after about 1 s of idleness")
    }

    func testCloseActionFollowsTheNextLink() throws {
        let proxy = try startProxy()
        let client = try openStream(proxy, channel: "paged", [("link", "</next>; rel=next")])

        XCTAssertEqual(try proxy.control.publish(items: [httpStreamItem(channel: "paged", action: "close")]), 1)

        XCTAssertEqual(try client.readStream(until: "the body of /next") { $0.count >= "next app\n".count }, "next app\n")
        XCTAssertNil(try client.readBodyPart(timeout: .seconds(3)), "the stream expected to end after /next's body")
        XCTAssertTrue(try backend.proxiedRequests().contains { $0.path == "/next" }, "the backend expected a GET /next")
    }

    func testTheLinkTimeoutFetchesTheNextPart() throws {
        let proxy = try startProxy()
        let client = try openStream(proxy, channel: "timed", [("link", "</next>; rel=next; timeout=1")])

        let (text, elapsed) = try timed { try client.readStream(until: "the body of /next", timeout: .seconds(4)) { $0.count >= "next app\n".count } }

        XCTAssertEqual(text, "next app\n")
        XCTAssertGreaterThanOrEqual(elapsed, .milliseconds(800), "/next expected only after the link's 1 s timeout")
    }

    func testTheEndOfALinkedResponseFollowsTheNextLink() throws {
        let proxy = try startProxy()
        let client = try proxy.client()

        let response = try client.get("/linked?" + "body=first%0A&link=" + queryEscaped("</next>; rel=next"))

        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(gripHeaderNames(response.head), [])
        XCTAssertEqual(response.bodyText, "first\nnext app\n")
        XCTAssertTrue(try backend.proxiedRequests().contains { $0.path == "/next" }, "the backend expected a GET /next")
    }
}
