/// What a client's frames amount to, once reassembled and checked.
public enum WebSocketEvent: Equatable, Sendable {
    /// A complete text message, checked to be UTF-8.
    case text([UInt8])
    case binary([UInt8])
    case ping([UInt8])
    case pong([UInt8])
    /// The peer began or answered the close handshake. `code` is nil when the frame had no payload.
    case close(code: UInt16?, reason: String)
}

/// Why a peer's frames are refused: the close code to answer with and what was wrong.
public struct WebSocketError: Error, Equatable, Sendable {
    public let closeCode: UInt16
    public let reason: String

    static func protocolError(_ reason: String) -> WebSocketError { WebSocketError(closeCode: CloseCode.protocolError, reason: reason) }
}
