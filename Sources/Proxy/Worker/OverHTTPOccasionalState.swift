import EventLoop

/// What only some WebSocket-over-HTTP connections need, in one object made on first use, so that
/// a held connection without any of it pays for one empty reference.
final class OverHTTPOccasionalState {
    /// Set by the backend's `Set-Meta-*`, sent back as `Meta-*` on every later request.
    var meta: [(name: String, value: String)] = []
    /// The backend's `Keep-Alive-Interval`: an empty request after this long without one.
    var keepAliveInterval: Duration?
    /// One timer for the keep-alive request and the retry backoff: never both at once.
    var timer: Timer?
    /// Closes the client when the JWT that admitted it expires.
    var expiryTimer: Timer?
    /// Asked for by a `keep-alive` control message.
    var clientKeepAlive: ClientKeepAlive?
    /// Left by a `send-delayed` control message until it is due.
    var delayedMessage: DelayedClientMessage?

    /// The client is gone: what would still write to it stops (the timer may yet retry a request).
    func clientEnded() {
        expiryTimer?.cancel()
        clientKeepAlive?.cancel()
        clientKeepAlive = nil
        delayedMessage = nil
    }
}
