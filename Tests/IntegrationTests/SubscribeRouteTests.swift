import XCTest

/// Routes Holdfast serves itself with `subscribe = "sse" | "longpoll" | "stream"` (docs/grip.md).
final class SubscribeRouteTests: ScenarioTestCase {
    /// A proxy whose `/events/` route subscribes in `mode`, ahead of the catch-all backend route.
    private func startSubscribeProxy(_ mode: String, _ configure: (inout ScenarioConfig) -> Void = { _ in }) throws -> Holdfast {
        try startProxy {
            $0.routes.insert(["path_prefix": "/events/", "subscribe": .string(mode)], at: 0)
            configure(&$0)
        }
    }

    private func openEvents(_ proxy: Holdfast, _ target: String, headers: [(String, String)] = [],
                            file: StaticString = #filePath, line: UInt = #line) throws -> HTTPClient {
        let client = try proxy.client()
        try client.sendRequest("GET", target, headers: headers)
        let head = try client.readResponseHead()
        XCTAssertEqual(head.status, 200, file: file, line: line)
        return client
    }

    func testSSEFramesEachMessageAsAnEvent() throws {
        let proxy = try startSubscribeProxy("sse")
        let client = try openEvents(proxy, "/events/news")
        try proxy.control.waitUntilHeld(1)

        XCTAssertEqual(try proxy.control.publish(items: [httpStreamItem(channel: "news", content: "line one\nline two\n", id: "7")]), 1)

        let expected = "id: 7\ndata: line one\ndata: line two\n\n"
        XCTAssertEqual(try client.readStream(until: "one SSE event") { $0.count >= expected.count }, expected)
        try assertBackendSawNoRequests()
    }

    func testLastEventIDReplaysTheHistoryAfterIt() throws {
        let proxy = try startSubscribeProxy("sse")
        for id in ["1", "2", "3"] {
            try proxy.control.publish(items: [httpStreamItem(channel: "replay", content: "message \(id)", id: id)])
        }
        let expected = "id: 2\ndata: message 2\n\nid: 3\ndata: message 3\n\n"

        let byHeader = try openEvents(proxy, "/events/replay", headers: [("Last-Event-ID", "1")])
        XCTAssertEqual(try byHeader.readStream(until: "events 2 and 3") { $0.count >= expected.count }, expected)
        let byQuery = try openEvents(proxy, "/events/replay?last-event-id=1")
        XCTAssertEqual(try byQuery.readStream(until: "events 2 and 3") { $0.count >= expected.count }, expected)
    }

    func testIdleSSEStreamsGetAKeepAliveComment() throws {
        let proxy = try startSubscribeProxy("sse") { $0.timeouts["stream_keepalive"] = "1s" }
        let client = try openEvents(proxy, "/events/idle")

        let text = try client.readStream(until: "a keep-alive comment", timeout: .seconds(4)) { $0.hasSuffix("\n\n") }

        XCTAssertTrue(text.hasPrefix(":"), "an SSE comment line expected, got \(text.debugDescription)")
    }

    func testLongPollAnswersWithThePayload() throws {
        let proxy = try startSubscribeProxy("longpoll")
        let client = try proxy.client()
        try client.sendRequest("GET", "/events/poll")
        try proxy.control.waitUntilHeld(1)

        XCTAssertEqual(try proxy.control.publishShorthand(channel: "poll", body: "the payload"), 1)

        let response = try client.readResponse()
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.bodyText, "the payload")
    }

    func testStreamAppendsPayloadsRaw() throws {
        let proxy = try startSubscribeProxy("stream")
        let client = try openEvents(proxy, "/events/raw")
        try proxy.control.waitUntilHeld(1)

        XCTAssertEqual(try proxy.control.publishShorthand(channel: "raw", body: "first|"), 1)
        XCTAssertEqual(try proxy.control.publish(items: [httpStreamItem(channel: "raw", content: "second\n")]), 1)

        XCTAssertEqual(try client.readStream(until: "both payloads") { $0.count >= "first|second\n".count }, "first|second\n")
    }
}
