/// What a held WebSocket client (`subscribe = "websocket"`) keeps beyond its `Hold`: its frame
/// reader (none while idle) and whether the last ping still waits for its pong.
final class WebSocketHold {
    var reader = HeldFrameReader()
    var awaitsPong = false
}
