import XCTest

/// Answers made after the request head is gone carry its CORS headers too (docs/security.md): published
/// answers, timeout answers, stream and SSE heads, built-in subscribe answers.
final class CORSHeldAnswerTests: ScenarioTestCase {
    private func startCORSProxy() throws -> Holdfast {
        try startProxy {
            $0.cors = CORSFixture.settings
            $0.routes.insert(["path_prefix": "/events/", "subscribe": "sse"], at: 0)
            $0.routes.insert(["path_prefix": "/poll/", "subscribe": "longpoll"], at: 0)
        }
    }

    private let origin = ("Origin", CORSFixture.app)

    func testAPublishedAnswerCarriesEachClientsOwnHeaders() throws {
        let proxy = try startCORSProxy()
        let withOrigin = try proxy.client()
        let withoutOrigin = try proxy.client()
        try withOrigin.sendRequest("GET", holdTarget(channels: "news"), headers: [origin])
        try withoutOrigin.sendRequest("GET", holdTarget(channels: "news"))
        try proxy.control.waitUntilHeld(2)

        XCTAssertEqual(try proxy.control.publish(items: [
            httpResponseItem(channel: "news", headers: ["Access-Control-Allow-Origin": "https://publisher.example"], body: "hello\n"),
        ]), 2)

        let allowed = try withOrigin.readResponse()
        XCTAssertEqual(allowed.bodyText, "hello\n")
        assertAllows(allowed.head)
        let plain = try withoutOrigin.readResponse()
        XCTAssertEqual(plain.bodyText, "hello\n")
        assertNoCORS(plain.head)
    }

    func testATimeoutAnswerCarriesThem() throws {
        let proxy = try startCORSProxy()

        let response = try proxy.client().get(holdTarget(channels: "quiet", [("timeout", "1")]), headers: [origin])

        XCTAssertEqual(response.bodyText, "timeout app\n")
        assertAllows(response.head)
    }

    func testAGripStreamHeadCarriesThem() throws {
        let proxy = try startCORSProxy()
        let client = try proxy.client()

        try client.sendRequest("GET", holdTarget(mode: "stream", channels: "feed"), headers: [origin])

        let head = try client.readResponseHead()
        XCTAssertEqual(head.status, 200)
        assertAllows(head)
    }

    func testAnSSESubscribeHeadCarriesThem() throws {
        let proxy = try startCORSProxy()
        let client = try proxy.client()

        try client.sendRequest("GET", "/events/news", headers: [origin, ("Accept", "text/event-stream")])

        let head = try client.readResponseHead()
        XCTAssertEqual(head.header("Content-Type"), "text/event-stream")
        assertAllows(head)
        try assertBackendSawNoRequests()
    }

    func testABuiltInLongPollAnswerCarriesThem() throws {
        let proxy = try startCORSProxy()
        let client = try proxy.client()
        try client.sendRequest("GET", "/poll/news", headers: [origin])
        try proxy.control.waitUntilHeld(1)

        XCTAssertEqual(try proxy.control.publish(items: [httpStreamItem(channel: "news", content: "payload")]), 1)

        let response = try client.readResponse()
        XCTAssertEqual(response.bodyText, "payload")
        assertAllows(response.head)
    }
}
