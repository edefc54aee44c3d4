/// One event of WebSocket-over-HTTP (Pushpin's `application/websocket-events`): what a client did,
/// as Holdfast tells the backend, or what the backend wants done, as it answers.
public enum OverHTTPEvent: Equatable, Sendable {
    /// The handshake (in the first request), or its acceptance (first in the first answer).
    case open
    case text([UInt8])
    case binary([UInt8])
    case ping([UInt8])
    case pong([UInt8])
    /// A close, with its code and reason when the frame had them (a bare `CLOSE` has neither).
    case close(code: UInt16?, reason: [UInt8])
    /// The connection ended without a close handshake (or, from the backend: drop it).
    case disconnect
}

/// Why a body is not `application/websocket-events`.
public struct OverHTTPEventError: Error, Equatable, Sendable {
    public let reason: String
}
