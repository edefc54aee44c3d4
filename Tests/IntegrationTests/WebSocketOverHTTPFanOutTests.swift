import XCTest

/// Many WebSocket-over-HTTP clients (`websocket = "grip"`) on a small backend pool: each one's
/// requests are short POSTs, so 1,000 clients need no more than the pool's 4 connections, and a
/// `ws-message` publish reaches every subscriber once.
final class WebSocketOverHTTPFanOutTests: ScenarioTestCase {
    private static let clientCount = 1000
    /// Clients opened and subscribed together; the rest wait, so no request queues near `upstream.queue`.
    private static let batchSize = 100

    func testAThousandClientsOverFourPooledConnectionsGetOnePublishOnce() throws {
        let proxy = try startProxy { config in
            config.backend.settings["max_connections"] = 4
            config.routes = [["path_prefix": "/", "backends": ["app"], "websocket": "grip"]]
        }
        var sockets: [WebSocketClient] = []
        for start in stride(from: 0, to: Self.clientCount, by: Self.batchSize) {
            let batch = try (start..<min(start + Self.batchSize, Self.clientCount)).map { _ in
                let http = try proxy.client()
                try http.sendRequest("GET", "/woh?grip=1", headers: WebSocketClient.handshakeHeaders)
                return WebSocketClient(http: http)
            }
            for socket in batch { XCTAssertEqual(try socket.http.readResponseHead(timeout: .seconds(10)).status, 101) }
            for socket in batch { try socket.sendText("subscribe:crowd") }
            for socket in batch { XCTAssertEqual(try socket.readText(timeout: .seconds(10)), "subscribed crowd") }
            sockets += batch
        }
        XCTAssert((1...4).contains(try backend.stats().connectionsMax), "every request went over the pool's 4 connections")
        XCTAssertEqual(try backend.proxiedRequests().filter { $0.events != nil }.count, 2 * Self.clientCount,
                       "each client's OPEN and its subscribe, nothing more")

        XCTAssertEqual(try proxy.control.publish(items: [["channel": "crowd", "formats": ["ws-message": ["content": "once"]]]]),
                       Self.clientCount, "the answer counts every subscribed client")
        // A second publish after the first: a client's next frame must be it, not the first again.
        XCTAssertEqual(try proxy.control.publish(items: [["channel": "crowd", "formats": ["ws-message": ["content": "then"]]]]),
                       Self.clientCount)
        for socket in sockets {
            XCTAssertEqual(try socket.readText(), "once")
            XCTAssertEqual(try socket.readText(), "then", "the first publish arrived exactly once")
        }
        let metrics = try proxy.control.parsedMetrics()
        XCTAssertEqual(metrics.value("holdfast_websocket_frames_total", ["direction": "in"]), Double(Self.clientCount),
                       "each client's subscribe")
        XCTAssertEqual(metrics.value("holdfast_websocket_frames_total", ["direction": "out"]), Double(3 * Self.clientCount),
                       "each client's confirmation and the two publishes")
    }
}
