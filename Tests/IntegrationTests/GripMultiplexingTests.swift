import XCTest

/// The point of holding (docs/architecture.md): many held clients cost the backend only the pool's few connections.
final class GripMultiplexingTests: ScenarioTestCase {
    func testFiveHundredHeldLongPollsShareFourUpstreamConnections() throws {
        let clientCount = 500
        let proxy = try startProxy {
            $0.backend.settings["max_connections"] = 4
            $0.timeouts["queue"] = "30s"
            $0.timeouts["hold"] = "60s"
        }

        // All requests go out before any answer is read: the proxy sees them concurrently.
        var clients: [HTTPClient] = []
        for index in 0..<clientCount {
            let client = try proxy.client()
            try client.sendRequest("GET", holdTarget(channels: "crowd") + "&n=\(index)")
            clients.append(client)
        }
        try proxy.control.waitUntilHeld(clientCount, timeout: .seconds(60))
        XCTAssertLessThanOrEqual(try backend.stats().connectionsMax, 4, "the backend expected at most max_connections connections")
        XCTAssertEqual(try backend.stats().requests, clientCount)

        XCTAssertEqual(try proxy.control.publish(items: [httpResponseItem(channel: "crowd", body: "to everyone\n")]), clientCount)

        for (index, client) in clients.enumerated() {
            let response = try client.readResponse()
            XCTAssertEqual(response.status, 200, "client \(index)")
            XCTAssertEqual(response.bodyText, "to everyone\n", "client \(index)")
        }
        // Anything after the responses would be a second delivery.
        for (index, client) in clients.enumerated() {
            XCTAssertEqual(client.unreadByteCount(waiting: .milliseconds(1)), 0, "client \(index) expected exactly one response")
        }
        XCTAssertEqual(try proxy.control.publishShorthand(channel: "crowd", body: "again"), 0, "every subscription expected to be used up")
        XCTAssertLessThanOrEqual(try backend.stats().connectionsMax, 4)
    }
}
