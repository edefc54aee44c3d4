import Foundation
import XCTest

/// `Grip-Hold: response` (docs/grip.md): the client waits for a publish; the backend connection does not.
final class GripLongPollTests: ScenarioTestCase {
    func testPublishedResponseIsTheClientsResponse() throws {
        let proxy = try startProxy()
        let client = try proxy.client()
        try client.sendRequest("GET", holdTarget(channels: "news"))
        try proxy.control.waitUntilHeld(1)

        let reached = try proxy.control.publish(items: [
            httpResponseItem(channel: "news", code: 201, headers: ["Content-Type": "text/x-news", "X-Published": "yes"], body: "hello\n"),
        ])

        XCTAssertEqual(reached, 1)
        let response = try client.readResponse()
        XCTAssertEqual(response.status, 201)
        XCTAssertEqual(response.header("Content-Type"), "text/x-news")
        XCTAssertEqual(response.header("X-Published"), "yes")
        XCTAssertEqual(response.bodyText, "hello\n")
        XCTAssertEqual(gripHeaderNames(response.head), [])
    }

    func testTimeoutSendsTheBackendsOwnResponse() throws {
        let proxy = try startProxy()
        let client = try proxy.client()

        let (response, elapsed) = try timed {
            try client.get(holdTarget(channels: "quiet", [("timeout", "1"), ("body", "nothing yet\n")]), timeout: .seconds(5))
        }

        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.header("Content-Type"), "text/plain")
        XCTAssertNotNil(response.header("X-Seen-Grip-Sig"), "the backend's own headers expected on the timeout response")
        XCTAssertEqual(response.bodyText, "nothing yet\n")
        XCTAssertEqual(gripHeaderNames(response.head), [])
        XCTAssertGreaterThanOrEqual(elapsed, .milliseconds(900), "Grip-Timeout: 1 expected to hold about 1 s")
        XCTAssertLessThan(elapsed, .seconds(3), "Grip-Timeout: 1 expected to hold about 1 s")
    }

    func testGripStatusAppliesToTheHeldResponse() throws {
        let proxy = try startProxy()
        let client = try proxy.client()

        let response = try client.get(holdTarget(channels: "quiet", [("timeout", "1"), ("status", "404 Nope")]))

        XCTAssertEqual(response.status, 404)
        XCTAssertEqual(response.head.reason, "Nope")
        XCTAssertEqual(gripHeaderNames(response.head), [])
    }

    func testAPublishOnAnyOfSeveralChannelsAnswers() throws {
        let proxy = try startProxy()
        for (index, channel) in ["second", "first"].enumerated() {
            let client = try proxy.client()
            try client.sendRequest("GET", holdTarget(channels: "first, second"))
            try proxy.control.waitUntilHeld(1)

            XCTAssertEqual(try proxy.control.publish(items: [httpResponseItem(channel: channel, body: "on \(channel)")]), 1,
                           "client \(index) held on both channels expected to be reached through \(channel)")
            XCTAssertEqual(try client.readResponse().bodyText, "on \(channel)")
        }
    }

    func testBodyBinIsDecodedFromBase64() throws {
        let proxy = try startProxy()
        let client = try proxy.client()
        try client.sendRequest("GET", holdTarget(channels: "binary"))
        try proxy.control.waitUntilHeld(1)
        let bytes: [UInt8] = [0, 1, 2, 0x0d, 0x0a, 0x7f, 0x80, 0xfe, 0xff]

        let reached = try proxy.control.publish(items: [[
            "channel": "binary",
            "formats": ["http-response": ["headers": ["Content-Type": "application/octet-stream"], "body-bin": Data(bytes).base64EncodedString()]],
        ]])

        XCTAssertEqual(reached, 1)
        let response = try client.readResponse()
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.body, bytes)
    }

    func testTheUpstreamConnectionIsReleasedWhileTheClientIsHeld() throws {
        let proxy = try startProxy {
            $0.backend.settings["max_connections"] = 1
            $0.timeouts["queue"] = "1s"
        }
        let held = try proxy.client()
        try held.sendRequest("GET", holdTarget(channels: "parked"))
        try proxy.control.waitUntilHeld(1)

        // With the only pooled connection still busy, these would wait out the queue and get 503.
        for index in 0..<3 {
            let response = try proxy.client().get("/echo?n=\(index)", timeout: .seconds(3))
            XCTAssertEqual(response.status, 200, "request \(index) expected the released connection, got \(response.status)")
        }
        XCTAssertEqual(try proxy.control.heldConnections(), 1)
        XCTAssertLessThanOrEqual(try backend.stats().connectionsMax, 1)
        XCTAssertEqual(try proxy.control.publishShorthand(channel: "parked", body: "done"), 1)
        XCTAssertEqual(try held.readResponse().bodyText, "done")
    }

    func testAHeldClientThatLeavesIsNoLongerASubscriber() throws {
        let proxy = try startProxy()
        var client: HTTPClient? = try proxy.client()
        try client?.sendRequest("GET", holdTarget(channels: "leaving"))
        try proxy.control.waitUntilHeld(1)

        client = nil  // closes the connection

        try eventually("a publish to the left channel reaches nobody") {
            try proxy.control.publishShorthand(channel: "leaving", body: "anyone?") == 0
        }
        try proxy.control.waitUntilHeld(0)
    }
}
