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
        default:
            return .other(type)
        }
    }
}

public enum WebSocketControlMessage: Equatable, Sendable {
    case subscribe(String)
    case unsubscribe(String)
    /// Stop sending the backend anything for this connection.
    case detach
    /// Set (empty value: unset) the `Meta-NAME` header of the connection's later requests, like `Set-Meta-NAME`.
    case setMeta(name: String, value: String)
    /// A type Holdfast does not act on (`keep-alive`, `session`, `ack`, …).
    case other(String)
}
