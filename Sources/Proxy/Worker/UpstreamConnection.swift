import EventLoop

/// One keep-alive connection to a backend, owned by its pool; lent to one user at a time.
/// Or, not pooled, a tunnel's own connection: opened by the pool, then never counted, lent or kept.
final class UpstreamConnection: SocketDelegate {
    let socket: Socket
    unowned let pool: UpstreamPool
    let isPooled: Bool
    weak var user: UpstreamUser?
    /// Whether it already carried a request: a reused connection may have been closed by the backend meanwhile.
    var hasServedRequest = false
    private(set) var isConnected = false

    init(pool: UpstreamPool, socket: Socket, isPooled: Bool) {
        self.pool = pool
        self.socket = socket
        self.isPooled = isPooled
    }

    func socketDidConnect(_ socket: Socket) {
        isConnected = true
        pool.connectionDidConnect(self)
    }

    func socket(_ socket: Socket, didRead bytes: UnsafeRawBufferPointer) {
        if let user { user.upstream(self, didRead: bytes) } else { pool.idleConnectionEnded(self) }
    }

    func socketDidReadEOF(_ socket: Socket) { ended(error: nil) }

    func socket(_ socket: Socket, didFail error: SocketError) { ended(error: error) }

    func socketDidTimeOut(_ socket: Socket) {
        if !isConnected {
            pool.connectionFailed(self, .connectTimeout)
        } else if let user {
            user.upstreamDidTimeOut(self)
        } else {
            pool.idleConnectionEnded(self)
        }
    }

    func socketDidDrain(_ socket: Socket) { user?.upstreamDidDrain(self) }

    private func ended(error: SocketError?) {
        if !isConnected {
            pool.connectionFailed(self, .connectFailed(error?.message ?? "connection closed"))
        } else if let user {
            pool.discard(self)
            user.upstreamDidClose(self, error: error)
        } else {
            pool.idleConnectionEnded(self)
        }
    }
}
