import WebSocket

/// A held WebSocket client's frame reader, kept only while a frame or message from the client is
/// incomplete: an idle client pays for one empty reference rather than the reader's hundred-odd bytes.
struct HeldFrameReader {
    private final class Box {
        let reader: FrameReader
        init(_ reader: FrameReader) { self.reader = reader }
    }

    private var box: Box?

    /// What `bytes` complete, read on from where the last bytes left off.
    mutating func read(_ bytes: UnsafeRawBufferPointer, runtime: WorkerRuntime) throws(WebSocketError) -> [WebSocketEvent] {
        var reader = box?.reader ?? FrameReader(maxMessageBytes: runtime.config.websocket.maxMessageBytes)
        // Out of the box while it reads, so its buffers are not copied on write.
        box = nil
        let events = try runtime.readWebSocketFrames(bytes, with: &reader)
        if !reader.isAtMessageBoundary { box = Box(reader) }
        return events
    }
}
