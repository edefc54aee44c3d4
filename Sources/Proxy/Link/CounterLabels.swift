/// The kinds of timeout a worker counts (`holdfast_timeouts_total{kind}`).
public enum TimeoutKind: String, CaseIterable, Sendable {
    case clientHeader = "client_header"
    case clientIdle = "client_idle"
    /// A client left our output unread for `client_idle` (nginx's `send_timeout`).
    case clientSend = "client_send"
    case hold
    case queue
    case upstreamConnect = "upstream_connect"
    case upstreamResponse = "upstream_response"
    /// A WebSocket tunnel without bytes either way for `websocket.tunnel_idle`.
    case tunnelIdle = "tunnel_idle"
    /// A WebSocket client that had not answered the previous ping when the next was due.
    case webSocketPing = "websocket_ping"
}

/// Why a worker disconnected a subscriber (`holdfast_subscribers_dropped_total{reason}`).
public enum DropReason: String, CaseIterable, Sendable {
    case slowReader = "slow_reader"
    /// A held client sent more than a request head's worth while waiting.
    case clientInput = "client_input"
}
