import EventLoop

/// A WebSocket connection its backend accepted (`101`): from then on bytes flow both ways
/// unchanged, on the backend connection that carried the handshake, which was never a pooled one.
/// Each side stops being read while the other's unsent output is over `highWaterBytes`, and goes
/// on once it drains (backpressure). The session's lifecycle decides when the tunnel is idle or
/// over; the tunnel moves bytes. It owns the backend socket (as its delegate) until it closes it.
final class Tunnel: SocketDelegate {
    let session: ClientSession
    private let backend: Socket
    private let pool: UpstreamPool
    private var isBackendPaused = false
    private var isClientPaused = false
    private var isClosed = false
    private static let highWaterBytes = 64 * 1024

    init(session: ClientSession, backend: Socket, pool: UpstreamPool) {
        self.session = session
        self.backend = backend
        self.pool = pool
        pool.tunnelCount += 1
        backend.delegate = self
    }

    /// `clientBytes`: what the client sent after its handshake; `backendBytes`: what came after the `101`.
    func start(clientBytes: [UInt8], backendBytes: [UInt8]) {
        if !backendBytes.isEmpty { session.write(backendBytes) }
        if !clientBytes.isEmpty { backend.write(clientBytes) }
        watchBackend()
        updateReading()
    }

    func clientBytes(_ bytes: UnsafeRawBufferPointer) {
        backend.write(bytes)
        updateReading()
    }

    func clientDrained() { updateReading() }

    /// Both sides end at once: what the client sent last (its close frame) still reaches the backend.
    func close() {
        guard !isClosed else { return }
        isClosed = true
        pool.tunnelCount -= 1
        backend.closeAfterFlush()
    }

    private func watchBackend() {
        backend.watchReadable(timeout: session.runtime.config.websocket.tunnelIdle)
    }

    /// Reads each side only while the other keeps up; changes only on a crossing, not per read.
    private func updateReading() {
        let pauseBackend = session.pendingOutputBytes > Self.highWaterBytes
        if pauseBackend != isBackendPaused {
            isBackendPaused = pauseBackend
            if pauseBackend { backend.stopWatchingReadable() } else { watchBackend() }
        }
        let pauseClient = backend.pendingOutputBytes > Self.highWaterBytes
        if pauseClient != isClientPaused {
            isClientPaused = pauseClient
            session.readTunnel(!pauseClient)
        }
    }

    // MARK: Backend socket events

    func socket(_ socket: Socket, didRead bytes: UnsafeRawBufferPointer) {
        session.write(bytes)
        session.tunnelTraffic()
        updateReading()
    }

    func socketDidReadEOF(_ socket: Socket) { session.tunnelEnded() }

    func socket(_ socket: Socket, didFail error: SocketError) { session.tunnelEnded() }

    /// The backend was silent for `tunnel_idle`: the lifecycle knows whether the client was too.
    func socketDidTimeOut(_ socket: Socket) { session.tunnelDeadlinePassed() }

    func socketDidDrain(_ socket: Socket) { updateReading() }
}
