import EventLoop

/// Why no pooled connection could be had.
enum UpstreamFailure: Error {
    case queueTimeout
    case connectFailed(String)
    case connectTimeout
}

/// A request waiting for, then using, a pooled upstream connection.
protocol UpstreamUser: AnyObject {
    /// The connection is now this user's until it gives it back with `UpstreamPool.release`.
    func upstreamReady(_ connection: UpstreamConnection)
    func upstreamUnavailable(_ failure: UpstreamFailure)
    func upstream(_ connection: UpstreamConnection, didRead bytes: UnsafeRawBufferPointer)
    /// The backend closed or reset the connection; it is already out of the pool.
    func upstreamDidClose(_ connection: UpstreamConnection, error: SocketError?)
    func upstreamDidTimeOut(_ connection: UpstreamConnection)
    func upstreamDidDrain(_ connection: UpstreamConnection)
}
