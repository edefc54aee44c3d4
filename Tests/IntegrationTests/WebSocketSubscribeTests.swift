import XCTest

/// `subscribe = "websocket"` (SPEC §12 "Built in"): Holdfast is the WebSocket server, each
/// published message one frame; RFC 6455 enforced on what clients send.
final class WebSocketSubscribeTests: ScenarioTestCase {
    /// `/ws/` subscribes as WebSockets, ahead of the catch-all backend route.
    private func startWebSocketProxy(_ configure: (inout ScenarioConfig) -> Void = { _ in }) throws -> Holdfast {
        try startProxy {
            $0.routes.insert(["path_prefix": "/ws/", "subscribe": "websocket"], at: 0)
            configure(&$0)
        }
    }

    private func subscribe(_ proxy: Holdfast, _ target: String, file: StaticString = #filePath, line: UInt = #line) throws
        -> WebSocketClient {
        let (socket, head) = try WebSocketClient.open(try proxy.client(), path: target)
        XCTAssertEqual(head.status, 101, file: file, line: line)
        XCTAssertEqual(head.header("Sec-WebSocket-Accept"), WebSocketClient.accept, file: file, line: line)
        return socket
    }

    /// The close frame Holdfast sends, then the end of the connection.
    private func assertClosed(_ socket: WebSocketClient, code: UInt16, file: StaticString = #filePath, line: UInt = #line) throws {
        var frame = try socket.readFrame()
        while frame.opcode == 0x9 { frame = try socket.readFrame() }
        XCTAssertEqual(frame.opcode, 0x8, "a close frame", file: file, line: line)
        XCTAssertEqual(Array(frame.payload.prefix(2)), [UInt8(code >> 8), UInt8(code & 0xFF)], "close code \(code)", file: file, line: line)
        XCTAssertTrue(socket.http.isClosedByPeer(timeout: .seconds(5)), file: file, line: line)
    }

    /// holdfast_websocket_*: frames and their bytes both ways, and the close codes Holdfast sent.
    func testFramesBytesAndClosesAreCounted() throws {
        let proxy = try startWebSocketProxy()
        let socket = try subscribe(proxy, "/ws/news")
        try proxy.control.waitUntilHeld(1)
        try socket.sendText("hi")
        XCTAssertEqual(try proxy.control.publishShorthand(channel: "news", body: "hello"), 1)
        XCTAssertEqual(try socket.readText(), "hello")
        try socket.sendClose(code: 1000)
        try assertClosed(socket, code: 1000)

        let metrics = try proxy.control.parsedMetrics()
        XCTAssertEqual(metrics.value("holdfast_websocket_frames_total", ["direction": "in"]), 2)
        XCTAssertEqual(metrics.value("holdfast_websocket_frames_total", ["direction": "out"]), 2)
        XCTAssertEqual(metrics.value("holdfast_websocket_bytes_total", ["direction": "in"]), 16, "two masked frames of 2 bytes' payload")
        XCTAssertEqual(metrics.value("holdfast_websocket_bytes_total", ["direction": "out"]), 7 + 4, "the message, then the close")
        XCTAssertEqual(metrics.value("holdfast_websocket_closes_total", ["code": "1000"]), 1)
    }

    func testEachMessageIsOneFrame() throws {
        let proxy = try startWebSocketProxy()
        let socket = try subscribe(proxy, "/ws/news")
        try proxy.control.waitUntilHeld(1)
        XCTAssertEqual(try proxy.control.parsedMetrics().value("holdfast_held_connections", ["kind": "websocket"]), 1)

        XCTAssertEqual(try proxy.control.publishShorthand(channel: "news", body: "héllo"), 1)
        XCTAssertEqual(try socket.readText(), "héllo")
        let binary = ["channel": "news", "formats": ["http-stream": ["content-bin": "/wA="]]] as [String: Any]
        XCTAssertEqual(try proxy.control.publish(items: [binary]), 1)
        let frame = try socket.readFrame()
        XCTAssertEqual(frame.opcode, 0x2, "bytes that are not UTF-8 go as a binary frame")
        XCTAssertEqual(frame.payload, [0xFF, 0x00])
        try assertBackendSawNoRequests()
    }

    func testHistoryIsReplayedAfterLastEventID() throws {
        let proxy = try startWebSocketProxy()
        for id in ["1", "2", "3"] {
            try proxy.control.publish(items: [httpStreamItem(channel: "replay", content: "message \(id)", id: id)])
        }
        let socket = try subscribe(proxy, "/ws/replay?last-event-id=1")
        XCTAssertEqual(try socket.readText(), "message 2")
        XCTAssertEqual(try socket.readText(), "message 3")
    }

    func testPingIsAnsweredAndCloseEndsTheSubscription() throws {
        let proxy = try startWebSocketProxy()
        let socket = try subscribe(proxy, "/ws/news")
        try socket.send(opcode: 0x9, Array("are you there".utf8))
        let pong = try socket.readFrame()
        XCTAssertEqual(pong.opcode, 0xA)
        XCTAssertEqual(pong.payload, Array("are you there".utf8))
        try socket.sendText("messages from the client are read and dropped")
        try proxy.control.waitUntilHeld(1)
        try socket.sendClose(code: 1001)
        try assertClosed(socket, code: 1001)
        try proxy.control.waitUntilHeld(0)
    }

    func testFragmentedMessagesWithControlFramesBetween() throws {
        let proxy = try startWebSocketProxy()
        let socket = try subscribe(proxy, "/ws/news")
        var fragmented = WebSocketClient.frame(opcode: 0x1, Array("first ".utf8))
        fragmented[0] &= 0x7F  // not final
        let ping = WebSocketClient.frame(opcode: 0x9, [7])
        // Split inside the ping's header: the reader keeps its state between reads.
        try socket.http.send(fragmented + ping.prefix(3))
        try socket.http.send(Array(ping.dropFirst(3)) + WebSocketClient.frame(opcode: 0x0, Array("last".utf8)))
        XCTAssertEqual(try socket.readFrame().payload, [7], "the pong comes between the fragments")
        XCTAssertEqual(try proxy.control.publishShorthand(channel: "news", body: "still subscribed"), 1)
        XCTAssertEqual(try socket.readText(), "still subscribed")
    }

    func testProtocolViolationsCloseWithTheirCode() throws {
        let proxy = try startWebSocketProxy { $0.websocket["max_message_bytes"] = 200 }
        let cases: [(String, [UInt8], UInt16)] = [
            ("unmasked", [0x81, 0x02] + Array("hi".utf8), 1002),
            ("reserved opcode", WebSocketClient.frame(opcode: 0x3, []), 1002),
            ("invalid UTF-8", WebSocketClient.frame(opcode: 0x1, [0xC0, 0x80]), 1007),
            ("over max_message_bytes", WebSocketClient.frame(opcode: 0x2, [UInt8](repeating: 1, count: 201)), 1009),
        ]
        for (name, bytes, code) in cases {
            let socket = try subscribe(proxy, "/ws/news")
            try socket.http.send(bytes)
            do { try assertClosed(socket, code: code) } catch { XCTFail("\(name): \(error)") }
        }
        try proxy.control.waitUntilHeld(0)
    }

    func testClientsThatDoNotAnswerPingsAreClosed() throws {
        let proxy = try startWebSocketProxy { $0.websocket["ping_interval"] = "300ms" }
        let answering = try subscribe(proxy, "/ws/news")
        let silent = try subscribe(proxy, "/ws/news")
        for _ in 0..<3 {
            let ping = try answering.readFrame()
            XCTAssertEqual(ping.opcode, 0x9)
            try answering.send(opcode: 0xA, ping.payload)
        }
        try assertClosed(silent, code: 1001)
        XCTAssertEqual(try proxy.control.publishShorthand(channel: "news", body: "alive"), 1, "only the answering client is left")
        var frame = try answering.readFrame()
        while frame.opcode == 0x9 { frame = try answering.readFrame() }
        XCTAssertEqual(String(decoding: frame.payload, as: UTF8.self), "alive")
        XCTAssertEqual(try proxy.control.parsedMetrics().value("holdfast_timeouts_total", ["kind": "websocket_ping"]), 1)
    }

    func testAuthAndBadHandshakes() throws {
        let proxy = try startProxy {
            $0.auths = [BearerTokens.auth]
            $0.routes.insert(["path_prefix": "/ws/", "subscribe": "websocket", "auth": "users"], at: 0)
        }
        let (_, head) = try WebSocketClient.open(try proxy.client(), path: "/ws/news?access_token=\(BearerTokens.make(channels: ["sport"]))")
        XCTAssertEqual(head.status, 403)
        let admitted = try subscribe(proxy, "/ws/news?access_token=\(BearerTokens.make(channels: ["news"], lifetime: 2))")
        try proxy.control.waitUntilHeld(1)
        let plain = try proxy.client().get("/ws/news?access_token=\(BearerTokens.make(channels: ["news"]))")
        XCTAssertEqual(plain.status, 400, "not a handshake")
        // Closed with 1008 once the token expires.
        var frame = try admitted.readFrame(timeout: .seconds(8))
        while frame.opcode == 0x9 { frame = try admitted.readFrame(timeout: .seconds(8)) }
        XCTAssertEqual(frame.opcode, 0x8)
        XCTAssertEqual(Array(frame.payload.prefix(2)), [0x03, 0xF0])
        try proxy.control.waitUntilHeld(0)
    }
}
