/// The control messages that carry a message for the client (`keep-alive`, `send-delayed`): the
/// same `message-type`, `content` / `content-bin` and `timeout` fields, read by one parser.
extension WebSocketGrip {
    /// Pushpin's keep-alive control message: the message fields, `timeout` (default 30) and `mode`
    /// (`idle`: after that long without anything sent to the client; `interval`: every time).
    /// Without content it turns keep-alives off (`.some(nil)`); nil when it cannot be read.
    static func keepAlive(_ fields: [String: JSONValue]) -> WebSocketKeepAlive?? {
        guard let (kind, content) = messageFields(fields) else { return nil }
        guard let content else { return .some(nil) }
        guard let message = WebSocketClientMessage(kind: kind, content: content),
              let seconds = seconds(fields["timeout"], default: WebSocketKeepAlive.defaultSeconds) else { return nil }
        let isInterval: Bool
        switch fields["mode"] {
        case nil, .string("idle")?: isInterval = false
        case .string("interval")?: isInterval = true
        default: return nil
        }
        return .some(WebSocketKeepAlive(message: message, seconds: seconds, isInterval: isInterval))
    }

    /// Pushpin's send-delayed control message: the message fields (no content: an empty message,
    /// as in Pushpin) and `timeout` (default 1); nil when it cannot be read.
    static func delayedMessage(_ fields: [String: JSONValue]) -> WebSocketDelayedMessage? {
        guard let (kind, content) = messageFields(fields), let message = WebSocketClientMessage(kind: kind, content: content ?? []),
              let seconds = seconds(fields["timeout"], default: WebSocketDelayedMessage.defaultSeconds) else { return nil }
        return WebSocketDelayedMessage(message: message, seconds: seconds)
    }

    /// `message-type` (`text` by default, `binary`, `ping`, `pong`) and the bytes of `content` or
    /// base64 `content-bin` (nil when neither is given); nil when unreadable.
    private static func messageFields(_ fields: [String: JSONValue]) -> (WebSocketClientMessage.Kind, [UInt8]?)? {
        let kind: WebSocketClientMessage.Kind
        switch fields["message-type"] {
        case nil, .string("text")?: kind = .text
        case .string("binary")?: kind = .binary
        case .string("ping")?: kind = .ping
        case .string("pong")?: kind = .pong
        default: return nil
        }
        do {
            return (kind, try JSONFields(.object(fields), path: "control message").bytes(text: "content", base64: "content-bin"))
        } catch {
            return nil
        }
    }

    /// `timeout` in whole seconds: absent or 0 means the default, as in Pushpin; nil when it is
    /// negative (Pushpin refuses it too), not an integer, or longer than a day.
    private static func seconds(_ timeout: JSONValue?, default defaultSeconds: Int) -> Int? {
        switch timeout {
        case nil, .integer(0)?: defaultSeconds
        case let .integer(value)? where value > 0 && value <= 86_400: value
        default: nil
        }
    }
}
