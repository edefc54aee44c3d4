/// A message a control message asks Holdfast to send the client itself (`keep-alive`, `send-delayed`).
public struct WebSocketClientMessage: Equatable, Sendable {
    public enum Kind: Sendable { case text, binary, ping, pong }
    public var kind: Kind
    public var content: [UInt8]

    /// nil when a ping or pong would carry more than a control frame may (125 bytes, RFC 6455 §5.5).
    public init?(kind: Kind, content: [UInt8]) {
        if kind == .ping || kind == .pong, content.count > 125 { return nil }
        self.kind = kind
        self.content = content
    }
}

/// What a `keep-alive` control message asks Holdfast to send the client, and when.
public struct WebSocketKeepAlive: Equatable, Sendable {
    public static let defaultSeconds = 30
    public var message: WebSocketClientMessage
    public var seconds: Int
    /// Sent every `seconds` whatever else was sent; otherwise only after `seconds` of silence.
    public var isInterval: Bool
}

/// What a `send-delayed` control message asks Holdfast to send the client, `seconds` from now.
public struct WebSocketDelayedMessage: Equatable, Sendable {
    /// Pushpin's `DEFAULT_WS_SENDDELAYED_TIMEOUT`.
    public static let defaultSeconds = 1
    public var message: WebSocketClientMessage
    public var seconds: Int
}
