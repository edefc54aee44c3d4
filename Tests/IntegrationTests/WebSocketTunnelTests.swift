import XCTest

/// `Upgrade: websocket` on a route with backends (SPEC §12 "Tunnel"): the backend's 101 is relayed
/// and bytes flow both ways, on a connection of the tunnel's own, against Fixtures/backend.py's /ws echo.
final class WebSocketTunnelTests: ScenarioTestCase {
    private func openTunnel(_ proxy: Holdfast, path: String = "/ws") throws -> WebSocketClient {
        let (socket, head) = try WebSocketClient.open(try proxy.client(), path: path)
        XCTAssertEqual(head.status, 101)
        XCTAssertEqual(head.header("Sec-WebSocket-Accept"), WebSocketClient.accept, "the backend's own accept, relayed")
        XCTAssertEqual(head.header("Upgrade")?.lowercased(), "websocket")
        XCTAssertEqual(head.header("Connection")?.lowercased(), "upgrade")
        return socket
    }

    private func tunnels(_ proxy: Holdfast) throws -> Double? {
        try proxy.control.parsedMetrics().value("holdfast_tunnels", ["backend": "app"])
    }

    func testMessagesAreEchoedThroughTheTunnel() throws {
        let proxy = try startProxy()
        let socket = try openTunnel(proxy, path: "/ws?greet=1")
        XCTAssertEqual(try socket.readText(), "hello", "bytes that came with the 101 follow it")
        try socket.sendText("hi there")
        XCTAssertEqual(try socket.readText(), "hi there")
        let large = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        try socket.send(opcode: 0x2, large)
        let echoed = try socket.readFrame(timeout: .seconds(10))
        XCTAssertEqual(echoed.opcode, 0x2)
        XCTAssertTrue(echoed.payload == large, "300 kB binary message echoed unchanged")
        try socket.send(opcode: 0x9, Array("p".utf8))
        XCTAssertEqual(try socket.readFrame().opcode, 0xA)
        let forwarded = try XCTUnwrap(backend.proxiedRequests().last)
        XCTAssertEqual(forwarded.header("Upgrade"), "websocket")
        XCTAssertEqual(forwarded.header("Connection"), "Upgrade")
        XCTAssertEqual(forwarded.header("Sec-WebSocket-Key"), WebSocketClient.key)
        XCTAssertEqual(forwarded.header("Sec-WebSocket-Version"), "13")
    }

    func testClientCloseEndsTheBackendSide() throws {
        let proxy = try startProxy()
        let socket = try openTunnel(proxy)
        try eventually("the backend holds the WebSocket") { try backend.stats().websocketsNow == 1 }
        try socket.sendClose(code: 1000)
        let close = try socket.readFrame()
        XCTAssertEqual(close.opcode, 0x8)
        XCTAssertEqual(close.payload, [0x03, 0xE8])
        XCTAssertTrue(socket.http.isClosedByPeer(timeout: .seconds(5)))
        try eventually("the backend's side is gone") { try backend.stats().websocketsNow == 0 }

        // A client that just goes away, without a close frame, ends the backend side too.
        let vanishing = try openTunnel(proxy)
        try eventually("the backend holds the WebSocket") { try backend.stats().websocketsNow == 1 }
        vanishing.http.shutdownWrite()
        try eventually("the backend's side is gone") { try backend.stats().websocketsNow == 0 }
        XCTAssertTrue(vanishing.http.isClosedByPeer(timeout: .seconds(5)))
    }

    func testBackendCloseEndsTheClientSide() throws {
        let proxy = try startProxy()
        let socket = try openTunnel(proxy)
        try socket.sendText("close-me")
        let close = try socket.readFrame()
        XCTAssertEqual(close.opcode, 0x8, "the backend's close frame reaches the client before the connection ends")
        XCTAssertTrue(socket.http.isClosedByPeer(timeout: .seconds(5)))
        try eventually("the gauge follows") { try tunnels(proxy) == 0 }
    }

    /// A tunnel never holds a pooled connection: with max_connections = 1, plain requests go on.
    func testTunnelsDoNotTakePooledConnections() throws {
        let proxy = try startProxy { config in
            config.backend.settings["max_connections"] = 1
            config.timeouts["queue"] = "500ms"
        }
        let first = try openTunnel(proxy)
        let second = try openTunnel(proxy)
        let plain = try proxy.client()
        for _ in 0..<3 { XCTAssertEqual(try plain.get("/echo").status, 200) }
        try first.sendText("one")
        try second.sendText("two")
        XCTAssertEqual(try first.readText(), "one")
        XCTAssertEqual(try second.readText(), "two")
        XCTAssertEqual(try tunnels(proxy), 2)
        let metrics = try proxy.control.parsedMetrics()
        XCTAssertEqual(metrics.value("holdfast_upstream_connections", ["backend": "app", "state": "busy"]), 0)
        let status = try proxy.control.status()
        let backendStatus = try XCTUnwrap((status["backends"] as? [[String: Any]])?.first)
        XCTAssertEqual(backendStatus["tunnels"] as? Int, 2)
        try first.sendClose(code: 1000)
        XCTAssertTrue(first.http.isClosedByPeer(timeout: .seconds(5)))
        try eventually("one tunnel left") { try tunnels(proxy) == 1 }
    }

    func testTunnelIdleCutsASilentTunnel() throws {
        let proxy = try startProxy { config in config.websocket["tunnel_idle"] = "400ms" }
        let socket = try openTunnel(proxy)
        // Traffic keeps it open past tunnel_idle.
        for index in 0..<6 {
            try socket.sendText("tick \(index)")
            XCTAssertEqual(try socket.readText(), "tick \(index)")
            usleep(150_000)
        }
        let (closed, elapsed) = timed { socket.http.isClosedByPeer(timeout: .seconds(5)) }
        XCTAssertTrue(closed)
        XCTAssertGreaterThanOrEqual(elapsed, .milliseconds(200), "cut only once silent for tunnel_idle")
        try eventually("the backend's side is gone") { try backend.stats().websocketsNow == 0 }
        XCTAssertEqual(try proxy.control.parsedMetrics().value("holdfast_timeouts_total", ["kind": "tunnel_idle"]), 1)
    }

    /// Bytes from the backend alone count as traffic: a client that only listens is not cut.
    func testBackendTrafficKeepsATunnelOpen() throws {
        let proxy = try startProxy { config in config.websocket["tunnel_idle"] = "400ms" }
        let socket = try openTunnel(proxy, path: "/ws?tick_ms=100")
        let (_, elapsed) = try timed { for _ in 0..<10 { XCTAssertEqual(try socket.readText(), "tick") } }
        XCTAssertGreaterThan(elapsed, .milliseconds(800), "ten ticks take longer than tunnel_idle")
        XCTAssertEqual(try proxy.control.parsedMetrics().value("holdfast_timeouts_total", ["kind": "tunnel_idle"]), 0)
    }

    func testAnAnswerOtherThan101IsRelayedAsAResponse() throws {
        let proxy = try startProxy()
        let client = try proxy.client()
        let (_, head) = try WebSocketClient.open(client, path: "/ws?refuse=403")
        XCTAssertEqual(head.status, 403)
        XCTAssertEqual(try client.readBodyPart(), Array("no websocket here\n".utf8))
        XCTAssertEqual(try client.get("/echo").status, 200, "the connection goes on as HTTP")
        XCTAssertEqual(try tunnels(proxy), 0)
    }

    /// Browsers apply no CORS to WebSockets: where Holdfast answers CORS, only allowed origins (or
    /// clients sending none) may open one.
    func testHandshakeFromAnOriginNotAllowedIsRefused() throws {
        let proxy = try startProxy { $0.cors = CORSFixture.settings }
        let refused = try WebSocketClient.open(try proxy.client(), path: "/ws",
                                               headers: WebSocketClient.handshakeHeaders + [("Origin", "https://evil.example.com")])
        XCTAssertEqual(refused.head.status, 403)
        try assertBackendSawNoRequests()
        let allowed = try WebSocketClient.open(try proxy.client(), path: "/ws",
                                               headers: WebSocketClient.handshakeHeaders + [("Origin", CORSFixture.app)])
        XCTAssertEqual(allowed.head.status, 101)
        XCTAssertEqual(allowed.head.header("Access-Control-Allow-Origin"), CORSFixture.app)
        let withoutOrigin = try openTunnel(proxy)
        try withoutOrigin.sendText("no origin, no browser")
        XCTAssertEqual(try withoutOrigin.readText(), "no origin, no browser")
    }

    func testBadHandshakesNeverReachTheBackend() throws {
        let proxy = try startProxy()
        let headers = WebSocketClient.handshakeHeaders
        let cases: [(String, String, [(String, String)], Int)] = [
            ("no key", "GET", headers.filter { $0.0 != "Sec-WebSocket-Key" }, 400),
            ("short key", "GET", headers.map { $0.0 == "Sec-WebSocket-Key" ? ($0.0, "c2hvcnQ=") : $0 }, 400),
            ("no Connection: upgrade", "GET", headers.map { $0.0 == "Connection" ? ($0.0, "keep-alive") : $0 }, 400),
            ("POST", "POST", headers, 400),
            ("no version", "GET", headers.filter { $0.0 != "Sec-WebSocket-Version" }, 426),
            ("version 8", "GET", headers.map { $0.0 == "Sec-WebSocket-Version" ? ($0.0, "8") : $0 }, 426),
        ]
        for (name, method, fields, status) in cases {
            let client = try proxy.client()
            try client.sendRequest(method, "/ws", headers: fields)
            let response = try client.readResponse()
            XCTAssertEqual(response.status, status, name)
            if status == 426 { XCTAssertEqual(response.header("Sec-WebSocket-Version"), "13", name) }
        }
        try assertBackendSawNoRequests()
    }
}
