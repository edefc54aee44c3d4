import HTTP1
import WebSocket

/// WebSockets Holdfast serves itself (`subscribe = "websocket"`): the client's frames are read as
/// they come (pings answered, messages read within `max_message_bytes` and dropped, a close
/// answered), and an idle client is pinged every `ping_interval`.
extension ClientSession {
    /// The `101` accepting a checked handshake, with the route's CORS headers.
    func writeSwitchingProtocols(key: String, route: Int, cors: CORSHeaders?) {
        var headers = HTTPHeaders([("Upgrade", "websocket"), ("Connection", "Upgrade"),
                                   ("Sec-WebSocket-Accept", Handshake.acceptValue(forKey: key))])
        cors?.apply(to: &headers)
        runtime.countRequest(route: route, status: 101)
        write(HeadSerializer.response(status: 101, reason: "Switching Protocols", headers: headers))
    }

    /// Bytes from a held WebSocket client.
    func readFrames(_ bytes: UnsafeRawBufferPointer, of webSocket: WebSocketHold) {
        let events: [WebSocketEvent]
        do {
            events = try webSocket.reader.read(bytes, runtime: runtime)
        } catch {
            closeWebSocket(code: error.closeCode)
            return
        }
        for event in events {
            switch event {
            case let .ping(payload):
                writeFrame(FrameEncoder.frame(.pong, payload: payload))
            case .pong:
                webSocket.awaitsPong = false
            case .text, .binary:
                // A subscription has nothing to hear: messages are checked and dropped.
                break
            case let .close(code, _):
                closeWebSocket(code: code ?? CloseCode.normal)
                return
            }
        }
    }

    /// The ping tick: a client that did not answer the last ping is gone; otherwise ping again.
    func ping(_ hold: Hold, _ webSocket: WebSocketHold) {
        guard !webSocket.awaitsPong else {
            runtime.countTimeout(.webSocketPing)
            closeWebSocket(code: CloseCode.goingAway)
            return
        }
        webSocket.awaitsPong = true
        writeFrame(Self.pingFrame)
        afterWrite(to: hold)
    }

    private static let pingFrame = FrameEncoder.frame(.ping, payload: [])
}
