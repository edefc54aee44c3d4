import EventLoop
import GRIP

/// The keep-alive a WebSocket-over-HTTP backend asked for with a `keep-alive` control message: a
/// message Holdfast sends the client itself, so that idle intermediaries do not cut it.
final class ClientKeepAlive {
    private let frame: [UInt8]
    private let milliseconds: Int64
    private let isInterval: Bool
    /// The session's WebSocketOverHTTP owns this and drops it when the client ends.
    private unowned let session: ClientSession
    /// Loop milliseconds of the last frame to the client (idle mode only).
    private var lastWrite: Int64
    private lazy var timer = Timer(base: session.runtime.base) { [unowned self] in self.fired() }

    init(_ keepAlive: WebSocketKeepAlive, session: ClientSession) {
        frame = keepAlive.message.frame
        milliseconds = Int64(keepAlive.seconds) * 1000
        isInterval = keepAlive.isInterval
        self.session = session
        lastWrite = session.runtime.base.nowMilliseconds
        timer.schedule(after: .milliseconds(milliseconds))
    }

    deinit { timer.cancel() }

    /// Something else went to the client: in idle mode the keep-alive waits for a new silence.
    func clientWritten() {
        if !isInterval { lastWrite = session.runtime.base.nowMilliseconds }
    }

    func cancel() { timer.cancel() }

    private func fired() {
        let silentFor = session.runtime.base.nowMilliseconds - lastWrite
        if isInterval || silentFor >= milliseconds {
            session.writeFrame(frame)
            lastWrite = session.runtime.base.nowMilliseconds
            timer.schedule(after: .milliseconds(milliseconds))
        } else {
            timer.schedule(after: .milliseconds(milliseconds - silentFor))
        }
    }
}
