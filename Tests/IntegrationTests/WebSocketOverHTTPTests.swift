import XCTest

/// `websocket = "grip"` (SPEC §12 "WebSocket-over-HTTP"): Holdfast terminates the WebSocket and
/// speaks Pushpin's WebSocket-over-HTTP to Fixtures/backend.py's /woh in POSTs over the pool.
final class WebSocketOverHTTPTests: ScenarioTestCase {
    func testOpenEchoAndCloseAsEvents() throws {
        let proxy = try startGripProxy()
        let (socket, head) = try open(proxy)
        XCTAssertEqual(head.status, 101)
        XCTAssertEqual(head.header("Sec-WebSocket-Accept"), WebSocketClient.accept, "Holdfast answers the handshake")
        XCTAssertEqual(head.header("Upgrade")?.lowercased(), "websocket")
        XCTAssertEqual(head.header("X-Open-Header"), "yes", "the OPEN answer's headers go into the 101")
        XCTAssertNil(head.header("Content-Type"))
        XCTAssertNil(head.header("Content-Length"))
        try socket.sendText("hi there")
        XCTAssertEqual(try socket.readText(), "hi there")
        try socket.sendClose(code: 1000)
        let close = try socket.readFrame()
        XCTAssertEqual(close.opcode, 0x8)
        XCTAssertEqual(close.payload, [0x03, 0xE8])
        XCTAssertTrue(socket.http.isClosedByPeer(timeout: .seconds(5)))

        let requests = try eventRequests()
        XCTAssertEqual(requests.map { $0.events ?? [] }, [["OPEN"], ["TEXT hi there"], ["CLOSE 1000"]])
        let ids = Set(requests.compactMap { $0.header("Connection-Id") })
        XCTAssertEqual(ids.count, 1, "one Connection-Id on every request of the connection")
        for request in requests {
            XCTAssertEqual(request.method, "POST")
            XCTAssertEqual(request.path, "/woh")
            XCTAssertEqual(request.header("Content-Type"), "application/websocket-events")
            XCTAssertEqual(request.header("Sec-WebSocket-Key"), WebSocketClient.key, "the handshake's headers are replayed")
            XCTAssertNil(request.header("Upgrade"))
            XCTAssertNotNil(request.header("Grip-Sig"))
        }
    }

    /// A WebSocket admitted by a JWT closes with 1008 when the token expires (SPEC §11), and the
    /// backend hears of it as the client's DISCONNECT.
    func testAConnectionAdmittedByATokenClosesWhenItExpires() throws {
        let proxy = try startProxy { config in
            config.auths = [BearerTokens.auth]
            config.routes = [["path_prefix": "/", "backends": ["app"], "websocket": "grip", "auth": "users"]]
        }
        let token = BearerTokens.make(lifetime: 2)
        let (socket, head) = try open(proxy, path: "/woh?access_token=\(token)")
        XCTAssertEqual(head.status, 101)
        let openedAt = ContinuousClock.now
        let close = try socket.readFrame(timeout: .seconds(6))
        XCTAssertEqual(close.opcode, 0x8)
        XCTAssertEqual(close.payload.prefix(2), [0x03, 0xF0], "close code 1008")
        XCTAssertLessThan(ContinuousClock.now - openedAt, .seconds(5))
        try eventually("the backend hears DISCONNECT") { try eventRequests().last?.events == ["DISCONNECT"] }
    }

    func testAVanishedClientIsADisconnectEvent() throws {
        let proxy = try startGripProxy()
        let (socket, head) = try open(proxy)
        XCTAssertEqual(head.status, 101)
        try socket.sendText("one")
        XCTAssertEqual(try socket.readText(), "one")
        socket.http.shutdownWrite()
        try eventually("the backend hears DISCONNECT") { try eventRequests().last?.events == ["DISCONNECT"] }
        XCTAssertEqual(try eventRequests().map { $0.events ?? [] }, [["OPEN"], ["TEXT one"], ["DISCONNECT"]])
    }

    /// An open WebSocket-over-HTTP client is a held connection like a built-in subscribe, however it ends.
    func testOpenConnectionsAreCountedAsHeldWebSockets() throws {
        let proxy = try startGripProxy()
        func heldWebSockets() throws -> Double? {
            try proxy.control.parsedMetrics().value("holdfast_held_connections", ["kind": "websocket"])
        }
        let (closing, _) = try open(proxy)
        let (vanishing, _) = try open(proxy)
        let (dropped, _) = try open(proxy)
        try eventually("three held WebSockets") { try heldWebSockets() == 3 }
        let (refused, head) = try open(proxy, path: "/woh?reject=403")
        XCTAssertEqual(head.status, 403)
        XCTAssertTrue(refused.http.isClosedByPeer(timeout: .seconds(5)))
        XCTAssertEqual(try heldWebSockets(), 3, "a refused handshake was never held")

        try closing.sendClose(code: 1000)
        XCTAssertTrue(closing.http.isClosedByPeer(timeout: .seconds(5)))
        try eventually("two held after a close handshake") { try heldWebSockets() == 2 }
        vanishing.http.shutdownWrite()
        try eventually("one held after a client vanished") { try heldWebSockets() == 1 }
        try dropped.sendText("disconnect")
        XCTAssertTrue(dropped.http.isClosedByPeer(timeout: .seconds(5)))
        try eventually("none held after the backend's DISCONNECT") { try heldWebSockets() == 0 }
    }

    func testARefusedOpenRefusesTheHandshake() throws {
        let proxy = try startGripProxy()
        let (socket, head) = try open(proxy, path: "/woh?reject=403")
        XCTAssertEqual(head.status, 403)
        XCTAssertEqual(String(decoding: try socket.http.readBytes(8), as: UTF8.self), "go away\n")
        XCTAssertTrue(socket.http.isClosedByPeer(timeout: .seconds(5)))
    }

    func testSetMetaComesBackAsMetaAndClientsCannotForgeIt() throws {
        let proxy = try startGripProxy()
        let (socket, head) = try open(proxy, path: "/woh?meta=alice", extraHeaders: [("Meta-User", "mallory")])
        XCTAssertEqual(head.status, 101)
        XCTAssertNil(head.header("Set-Meta-User"), "Set-Meta-* is for Holdfast alone")
        try socket.sendText("meta")
        XCTAssertEqual(try socket.readText(), "alice")
        let requests = try eventRequests()
        XCTAssertEqual(requests.first?.values(of: "Meta-User"), [], "a client's own Meta-* never reaches the backend")
        XCTAssertEqual(requests.last?.values(of: "Meta-User"), ["alice"])
    }

    func testEventsArrivingDuringARequestGoTogetherInOrder() throws {
        let proxy = try startGripProxy()
        let (socket, head) = try open(proxy)
        XCTAssertEqual(head.status, 101)
        try socket.sendText("slow")
        try eventually("the backend has the slow one") { try eventRequests().last?.events == ["TEXT slow"] }
        try socket.sendText("a")
        try socket.sendText("b")
        try socket.sendText("c")
        XCTAssertEqual(try (0..<4).map { _ in try socket.readText() }, ["slow", "a", "b", "c"])
        XCTAssertEqual(try eventRequests().map { $0.events ?? [] }, [["OPEN"], ["TEXT slow"], ["TEXT a", "TEXT b", "TEXT c"]],
                       "one request at a time: what came meanwhile goes in the next, in order")
    }

    func testKeepAliveIntervalBringsAnEmptyRequestWhenIdle() throws {
        let proxy = try startGripProxy()
        let (socket, head) = try open(proxy, path: "/woh?keepalive=1")
        XCTAssertEqual(head.status, 101)
        let (_, elapsed) = try timed {
            try eventually("an empty keep-alive request") { try eventRequests().count == 2 }
        }
        XCTAssertEqual(try eventRequests().map { $0.events ?? ["?"] }, [["OPEN"], []])
        XCTAssertGreaterThanOrEqual(elapsed, .milliseconds(900), "not before the interval")
        try socket.sendText("still here")
        XCTAssertEqual(try socket.readText(), "still here")
    }

    func testBackendCloseAndDisconnectReachTheClient() throws {
        let proxy = try startGripProxy()
        let (closing, _) = try open(proxy)
        try closing.sendText("close")
        let close = try closing.readFrame()
        XCTAssertEqual(close.opcode, 0x8)
        XCTAssertEqual(close.payload, [0x0F, 0xA0] + Array("bye".utf8))
        XCTAssertTrue(closing.http.isClosedByPeer(timeout: .seconds(5)))

        let (dropped, _) = try open(proxy)
        try dropped.sendText("disconnect")
        XCTAssertTrue(dropped.http.isClosedByPeer(timeout: .seconds(5)), "DISCONNECT drops the client")
    }

    /// GRIP (`Sec-WebSocket-Extensions: grip` in the OPEN answer): control messages subscribe, and
    /// `ws-message` publishes reach the subscribed client; `action: close` closes it.
    func testSubscribeByControlMessageThenPublishWebSocketMessages() throws {
        let proxy = try startGripProxy()
        let (socket, head) = try open(proxy, path: "/woh?grip=1")
        XCTAssertEqual(head.status, 101)
        XCTAssertNil(head.header("Sec-WebSocket-Extensions"), "the grip extension is between Holdfast and the backend")
        XCTAssertEqual(try eventRequests().first?.header("Sec-WebSocket-Extensions"), "grip", "offered to the backend")
        try socket.sendText("subscribe:news")
        XCTAssertEqual(try socket.readText(), "subscribed news", "the control message is not sent; the prefix is stripped")
        XCTAssertEqual(try proxy.control.publish(items: [["channel": "news", "formats": ["ws-message": ["content": "extra!"]]]]), 1)
        XCTAssertEqual(try socket.readText(), "extra!")
        try proxy.control.publish(items: [["channel": "news", "formats": ["ws-message": ["content-bin": "AAEC"]]]])
        let binary = try socket.readFrame()
        XCTAssertEqual(binary.opcode, 0x2)
        XCTAssertEqual(binary.payload, [0, 1, 2])
        try socket.sendText("echo")
        XCTAssertEqual(try socket.readText(), "echo")

        try proxy.control.publish(items: [["channel": "news", "formats": ["ws-message": ["action": "close", "code": 4001]]]])
        let close = try socket.readFrame()
        XCTAssertEqual(close.opcode, 0x8)
        XCTAssertEqual(close.payload, [0x0F, 0xA1])
        XCTAssertTrue(socket.http.isClosedByPeer(timeout: .seconds(5)))
        try eventually("the backend hears DISCONNECT") { try eventRequests().last?.events == ["DISCONNECT"] }
    }

    /// A `set-meta` control message works as `Set-Meta-*` does: later requests carry `Meta-User`.
    func testSetMetaControlMessageSetsAndUnsetsMeta() throws {
        let proxy = try startGripProxy()
        let (socket, _) = try open(proxy, path: "/woh?grip=1&meta=alice")
        try socket.sendText("set-meta:bob")
        XCTAssertEqual(try socket.readText(), "meta set")
        try socket.sendText("meta")
        XCTAssertEqual(try socket.readText(), "bob")
        try socket.sendText("set-meta:")
        XCTAssertEqual(try socket.readText(), "meta set")
        try socket.sendText("meta")
        XCTAssertEqual(try socket.readText(), "", "an empty value unsets it")
        XCTAssertEqual(try eventRequests().last?.values(of: "Meta-User"), [])
    }

    /// A `keep-alive` control message: Holdfast sends the client the message itself after a second
    /// of silence (idle) or every second (interval), until one without content turns it off.
    func testKeepAliveControlMessageSendsTheClientMessagesUntilTurnedOff() throws {
        let proxy = try startGripProxy()
        let (idle, _) = try open(proxy, path: "/woh?grip=1")
        try idle.sendText("keep-alive:idle:ping-me")
        XCTAssertEqual(try idle.readText(), "keep-alive set")
        let (_, silence) = try timed { XCTAssertEqual(try idle.readText(timeout: .seconds(3)), "ping-me") }
        XCTAssertGreaterThanOrEqual(silence, .milliseconds(900), "not before a second of silence")
        XCTAssertEqual(try idle.readText(timeout: .seconds(3)), "ping-me", "and again")
        try idle.sendText("keep-alive:idle:")
        XCTAssertEqual(try idle.readText(), "keep-alive set")
        XCTAssertThrowsError(try idle.readFrame(timeout: .milliseconds(1_500)), "off: nothing more comes")
        let requestsBefore = try eventRequests().count
        XCTAssertEqual(requestsBefore, 3, "keep-alives to the client take no backend request")

        let (interval, _) = try open(proxy, path: "/woh?grip=1")
        try interval.sendText("keep-alive:interval:tick")
        XCTAssertEqual(try interval.readText(), "keep-alive set")
        XCTAssertEqual(try interval.readText(timeout: .seconds(3)), "tick")
    }

    func testUnsubscribeStopsPublishes() throws {
        let proxy = try startGripProxy()
        let (socket, _) = try open(proxy, path: "/woh?grip=1")
        try socket.sendText("subscribe:a")
        XCTAssertEqual(try socket.readText(), "subscribed a")
        try socket.sendText("unsubscribe:a")
        XCTAssertEqual(try socket.readText(), "unsubscribed a")
        XCTAssertEqual(try proxy.control.publish(items: [["channel": "a", "formats": ["ws-message": ["content": "gone"]]]]), 0)
    }

    func testShutdownClosesOpenWebSocketsWith1001() throws {
        let proxy = try startGripProxy()
        let (socket, head) = try open(proxy)
        XCTAssertEqual(head.status, 101)
        proxy.signal(SIGTERM)
        let close = try socket.readFrame()
        XCTAssertEqual(close.opcode, 0x8)
        XCTAssertEqual(close.payload, [0x03, 0xE9])
        XCTAssertEqual(proxy.waitForExit(timeout: .seconds(10)), 0)
    }

    func testAnUnreachableBackendClosesTheClientWith1011() throws {
        let proxy = try startGripProxy()
        let (socket, head) = try open(proxy)
        XCTAssertEqual(head.status, 101)
        backend.stop()
        try socket.sendText("anyone there?")
        let close = try socket.readFrame(timeout: .seconds(15))
        XCTAssertEqual(close.opcode, 0x8)
        XCTAssertEqual(close.payload, [0x03, 0xF3], "retried with backoff, then 1011")
    }
}
