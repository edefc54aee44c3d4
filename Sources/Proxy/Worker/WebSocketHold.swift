import WebSocket

/// What a held WebSocket client (`subscribe = "websocket"`) keeps beyond its `Hold`: a frame reader
/// only while a frame or message from the client is incomplete (an idle client has none, and pays
/// only for an empty reference), and whether the last ping still waits for its pong.
final class WebSocketHold {
    private final class ReaderBox {
        let reader: FrameReader
        init(_ reader: FrameReader) { self.reader = reader }
    }

    private var box: ReaderBox?
    var awaitsPong = false

    /// Boxed, so that the reader's hundred-odd bytes exist only while it is needed.
    var reader: FrameReader? {
        get { box?.reader }
        set { box = newValue.map(ReaderBox.init) }
    }
}
