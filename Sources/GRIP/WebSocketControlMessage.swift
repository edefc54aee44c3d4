/// A `c:` control message from a WebSocket-over-HTTP backend: the types Pushpin accepts.
public enum WebSocketControlMessage: Equatable, Sendable {
    /// Subscribe to a channel (Pushpin's `filters` are not read).
    case subscribe(String)
    case unsubscribe(String)
    /// Stop sending the backend anything for this connection.
    case detach
    /// Set (empty value: unset) the `Meta-NAME` header of the connection's later requests, like `Set-Meta-NAME`.
    case setMeta(name: String, value: String)
    /// Keep-alive messages to the client from now on; nil: none.
    case keepAlive(WebSocketKeepAlive?)
    /// A message for the client after a delay, in place of (and after) any still pending.
    case sendDelayed(WebSocketDelayedMessage)
    /// Send the pending delayed message now.
    case flushDelayed
    /// The connection's session id (nil: none). Pushpin stores it only for its optional state
    /// service; nothing in the protocol depends on it.
    case session(id: String?)
    /// A type Pushpin does not know either.
    case unknown(String)
}
