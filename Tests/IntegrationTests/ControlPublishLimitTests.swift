import XCTest

/// Publishes over `control.max_publish_bytes` are refused whole, and a large one under it does not
/// hold up the master (docs/operations.md, issue #8: while five 6.5 MB publishes were parsed, /healthz took 2.8 s).
final class ControlPublishLimitTests: ScenarioTestCase {
    func testPublishOverTheLimitGets413AndPublishesNothing() throws {
        let proxy = try startProxy { $0.control["max_publish_bytes"] = 1024 }
        let held = try proxy.client()
        try held.sendRequest("GET", holdTarget(channels: "big"))
        try proxy.control.waitUntilHeld(1)
        let large = String(repeating: "x", count: 2000)

        let json = try proxy.control.publish(json: #"{"items": [{"channel": "big", "formats": {"http-response": {"body": "\#(large)"}}}]}"#)
        let shorthand = try proxy.control.publish(channel: "big", body: large)

        XCTAssertEqual(json.status, 413)
        XCTAssertEqual(shorthand.status, 413)
        XCTAssertEqual(held.unreadByteCount(waiting: .milliseconds(300)), 0, "nothing of a refused publish expected to be delivered")
        XCTAssertEqual(try proxy.control.metric("holdfast_messages_published_total"), 0)
        XCTAssertEqual(try proxy.control.publishShorthand(channel: "big", body: "small"), 1)
        XCTAssertEqual(try held.readResponse().bodyText, "small")
    }

    /// 500 ms: a liveness probe has to answer well inside the usual 1 s probe timeout (kubelet's
    /// default); parsing this body on the event loop stalled a debug build for about 1.5 s.
    func testHealthzAnswersPromptlyWhileALargePublishIsProcessed() throws {
        let proxy = try startProxy { $0.control["max_publish_bytes"] = 8_388_608 }
        let item = #"{"channel": "c", "formats": {"http-response": {"code": 200, "body": "hello world hello world hello world"}, "http-stream": {"content": "data: hello\n\n"}}}"#
        let body = #"{"items": ["# + Array(repeating: item, count: 6_000_000 / (item.utf8.count + 2)).joined(separator: ", ") + "]}"
        let publisher = try HTTPClient(port: proxy.controlPort)
        try publisher.sendRequest("POST", "/publish/", body: Array(body.utf8))

        var latencies: [Duration] = []
        let deadline = ContinuousClock.now + .seconds(60)
        while publisher.unreadByteCount(waiting: .milliseconds(20)) == 0, ContinuousClock.now < deadline {
            let (response, elapsed) = try timed { try proxy.control.healthz() }
            XCTAssertEqual(response.status, 200)
            latencies.append(elapsed)
        }
        let answer = try publisher.readResponse(timeout: .seconds(5))
        XCTAssertEqual(answer.status, 200, answer.bodyText)
        XCTAssertGreaterThanOrEqual(latencies.count, 3, "the publish expected to take long enough to probe /healthz during it")
        XCTAssertLessThan(latencies.max() ?? .zero, .milliseconds(500), "slowest /healthz of \(latencies.count) during the publish")
    }
}
