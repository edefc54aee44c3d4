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
    /// string `type`, or a field of a known type is invalid.
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
        case "send-delayed":
            return delayedMessage(fields).map { .sendDelayed($0) }
        case "flush-delayed":
            return .flushDelayed
        case "session":
            switch fields["id"] {
            case let .string(id)?: return .session(id: id.isEmpty ? nil : id)
            case .null?, nil: return .session(id: nil)
            default: return nil
            }
        default:
            return .unknown(type)
        }
    }
}
