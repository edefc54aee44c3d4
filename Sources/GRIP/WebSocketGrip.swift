import Wire

/// GRIP over WebSocket-over-HTTP: whether the backend accepted the `grip` extension, and what its
/// `c:` control messages ask (Pushpin's protocol, docs/grip.md).
public enum WebSocketGrip {
    /// What a control message starts with, in a text message from the backend.
    public static let controlPrefix: [UInt8] = Array("c:".utf8)
    public static let defaultMessagePrefix: [UInt8] = Array("m:".utf8)

    /// The message prefix when the `Sec-WebSocket-Extensions` values name `grip` (its
    /// `message-prefix` parameter, else `m:`); nil when they do not, or cannot be read.
    public static func messagePrefix(extensions values: [String]) -> [UInt8]? {
        for value in values {
            guard let elements = try? HeaderElement.parse(value, header: "Sec-WebSocket-Extensions", commaSeparated: true) else { continue }
            for element in elements where element.value.lowercased() == "grip" {
                let prefix = try? element.parameter("message-prefix", header: "Sec-WebSocket-Extensions")
                return prefix.map { Array($0.utf8) } ?? defaultMessagePrefix
            }
        }
        return nil
    }

    /// The control message in `json` (what follows `c:`); nil when it is not a JSON object with a
    /// string `type`, or names an invalid channel.
    public static func controlMessage(_ json: some Collection<UInt8>) -> WebSocketControlMessage? {
        guard case let .object(fields)? = JSONValue.parse(Array(json)), case let .string(type)? = fields["type"] else { return nil }
        switch type {
        case "subscribe", "unsubscribe":
            guard case let .string(channel)? = fields["channel"], (try? PublishRequest.validate(channel: channel)) != nil else { return nil }
            return type == "subscribe" ? .subscribe(channel) : .unsubscribe(channel)
        case "detach":
            return .detach
        case "set-meta":
            // Pushpin's form: a null or missing value unsets, as an empty Set-Meta-* header does.
            guard case let .string(name)? = fields["name"], PublishedHeaders.isFieldName(name) else { return nil }
            switch fields["value"] {
            case let .string(value)? where PublishedHeaders.isFieldValue(value): return .setMeta(name: name, value: value)
            case .null?, nil: return .setMeta(name: name, value: "")
            default: return nil
            }
        case "keep-alive":
            return keepAlive(fields).map { .keepAlive($0) }
        default:
            return .other(type)
        }
    }
}

extension WebSocketGrip {
    /// Pushpin's keep-alive control message: `content` (or base64 `content-bin`), `message-type`
    /// (`text`, `binary`, `ping`, `pong`), `timeout` in seconds (default 30) and `mode` (`idle`:
    /// after that long without anything sent to the client; `interval`: every time). Without content
    /// it turns keep-alives off (`.some(nil)`); nil when it cannot be read.
    static func keepAlive(_ fields: [String: JSONValue]) -> WebSocketKeepAlive?? {
        let content: [UInt8]
        switch (fields["content"], fields["content-bin"]) {
        case (nil, nil), (.null?, nil), (nil, .null?): return .some(nil)
        case let (.string(text)?, nil): content = Array(text.utf8)
        case let (nil, .string(encoded)?):
            guard let decoded = Base64.decode(encoded) else { return nil }
            content = decoded
        default: return nil
        }
        let kind: WebSocketKeepAlive.Kind
        switch fields["message-type"] {
        case nil, .string("text")?: kind = .text
        case .string("binary")?: kind = .binary
        case .string("ping")?: kind = .ping
        case .string("pong")?: kind = .pong
        default: return nil
        }
        let seconds: Int
        switch fields["timeout"] {
        case nil: seconds = WebSocketKeepAlive.defaultSeconds
        case let .integer(value)? where value > 0 && value <= 86_400: seconds = value
        default: return nil
        }
        let isInterval: Bool
        switch fields["mode"] {
        case nil, .string("idle")?: isInterval = false
        case .string("interval")?: isInterval = true
        default: return nil
        }
        // Control frames carry at most 125 bytes (RFC 6455 §5.5).
        if kind == .ping || kind == .pong, content.count > 125 { return nil }
        return .some(WebSocketKeepAlive(kind: kind, content: content, seconds: seconds, isInterval: isInterval))
    }
}

/// What a `keep-alive` control message asks Holdfast to send the client, and when.
public struct WebSocketKeepAlive: Equatable, Sendable {
    public enum Kind: Sendable { case text, binary, ping, pong }
    public static let defaultSeconds = 30
    public var kind: Kind
    public var content: [UInt8]
    public var seconds: Int
    /// Sent every `seconds` whatever else was sent; otherwise only after `seconds` of silence.
    public var isInterval: Bool

    public init(kind: Kind, content: [UInt8], seconds: Int, isInterval: Bool) {
        self.kind = kind
        self.content = content
        self.seconds = seconds
        self.isInterval = isInterval
    }
}

public enum WebSocketControlMessage: Equatable, Sendable {
    case subscribe(String)
    case unsubscribe(String)
    /// Stop sending the backend anything for this connection.
    case detach
    /// Set (empty value: unset) the `Meta-NAME` header of the connection's later requests, like `Set-Meta-NAME`.
    case setMeta(name: String, value: String)
    /// Keep-alive messages to the client from now on; nil: none.
    case keepAlive(WebSocketKeepAlive?)
    /// A type Holdfast does not act on (`session`, `ack`, …).
    case other(String)
}
