import XCTest

/// docs/grip.md, docs/architecture.md: what reaches a held client is always a valid final HTTP answer, whatever a
/// publisher or a backend's `Grip-*` headers say.
final class GripAnswerValidityTests: ScenarioTestCase {
    func testInterimCodesAreRefusedAtPublishAndDeliverNothing() throws {
        let proxy = try startProxy()
        let client = try proxy.client()
        try client.sendRequest("GET", holdTarget(channels: "interim"))
        try proxy.control.waitUntilHeld(1)

        for code in [100, 101, 103] {
            let json = #"{"items": [{"channel": "interim", "formats": {"http-response": {"code": \#(code), "body": "x"}}}]}"#
            let refusal = try proxy.control.publish(json: json)
            XCTAssertEqual(refusal.status, 400, "code \(code)")
            XCTAssertTrue(refusal.bodyText.contains("code"), "the reason expected to name the code, got \(refusal.bodyText.debugDescription)")
        }
        XCTAssertEqual(client.unreadByteCount(waiting: .milliseconds(200)), 0, "nothing of a refused publish expected to be delivered")
        XCTAssertEqual(try proxy.control.heldConnections(), 1)

        XCTAssertEqual(try proxy.control.publish(items: [httpResponseItem(channel: "interim", body: "final")]), 1)
        XCTAssertEqual(try client.readResponse().bodyText, "final")
    }

    func testPublishedNoContentAndNotModifiedCarryNoBodyAndTheConnectionStaysUsable() throws {
        let proxy = try startProxy()
        for code in [204, 304] {
            let client = try proxy.client()
            try client.sendRequest("GET", holdTarget(channels: "bodiless"))
            try proxy.control.waitUntilHeld(1)
            XCTAssertEqual(try proxy.control.publish(items: [httpResponseItem(channel: "bodiless", code: code, body: "ignored")]), 1)

            let response = try client.readResponse()
            XCTAssertEqual(response.status, code)
            XCTAssertNil(response.header("Content-Length"), "\(code) expected without Content-Length")
            XCTAssertNil(response.header("Transfer-Encoding"), "\(code) expected without Transfer-Encoding")
            XCTAssertEqual(client.unreadByteCount(waiting: .milliseconds(200)), 0, "\(code) expected to be followed by no body bytes")
            XCTAssertEqual(try client.get("/echo").status, 200, "the connection expected to serve a next request after \(code)")
            try proxy.control.waitUntilHeld(0)
        }
    }

    func testPublishedGripAndHopByHopHeadersNeverReachTheClient() throws {
        let proxy = try startProxy()
        let client = try proxy.client()
        try client.sendRequest("GET", holdTarget(channels: "headers"))
        try proxy.control.waitUntilHeld(1)
        let headers = ["Grip-Hold": "stream", "Grip-Channel": "other", "Connection": "close", "Transfer-Encoding": "chunked",
                       "X-App": "kept"]
        XCTAssertEqual(try proxy.control.publish(items: [httpResponseItem(channel: "headers", headers: headers, body: "payload")]), 1)

        let response = try client.readResponse()
        XCTAssertEqual(gripHeaderNames(response.head), [])
        XCTAssertNil(response.header("Transfer-Encoding"))
        XCTAssertNil(response.header("Connection"), "a published Connection expected dropped; this connection is kept alive")
        XCTAssertEqual(response.header("X-App"), "kept")
        XCTAssertEqual(response.bodyText, "payload")
        XCTAssertEqual(try client.get("/echo").status, 200)
    }

    func testAnInterimGripStatusFromTheBackendIsA502() throws {
        let proxy = try startProxy()
        let response = try proxy.client().get(holdTarget(channels: "interim", [("status", "100 Continue")]))
        XCTAssertEqual(response.status, 502)
        XCTAssertEqual(try proxy.control.heldConnections(), 0)
    }

    func testAHoldWhoseGripStatusIsNoContentTimesOutWithoutABody() throws {
        let proxy = try startProxy()
        let client = try proxy.client()
        try client.sendRequest("GET", holdTarget(channels: "quiet", [("status", "204"), ("timeout", "1")]))
        let response = try client.readResponse(timeout: .seconds(5))
        XCTAssertEqual(response.status, 204)
        XCTAssertNil(response.header("Content-Length"))
        XCTAssertEqual(client.unreadByteCount(waiting: .milliseconds(200)), 0, "the backend's body expected dropped from a 204")
        XCTAssertEqual(try client.get("/echo").status, 200)
    }
}
