/// Reads publish requests (docs/grip.md, "Publishing"): the JSON body of `POST /publish/` and the raw body of
/// `POST /publish/CHANNEL`.
public enum PublishRequest {
    /// `{"items": [...]}`. Formats may sit in the item's `formats` object or, as older GRIP
    /// libraries send them, directly in the item. Any invalid item rejects the whole batch
    /// with a reason naming the item index and field.
    public static func parseJSON(_ body: [UInt8]) throws(PublishError) -> [PublishItem] {
        guard let root = JSONValue.parse(body) else {
            throw PublishError(reason: "body expected JSON like {\"items\": [...]}; got text that is not JSON")
        }
        guard case .object(let fields) = root, let itemsValue = fields["items"] else {
            throw PublishError(reason: "body expected a JSON object with an \"items\" array; got \(root.described)")
        }
        guard case .array(let items) = itemsValue else {
            throw PublishError(reason: "items expected an array; got \(itemsValue.described)")
        }
        guard !items.isEmpty else {
            throw PublishError(reason: "items expected at least one item; got an empty array")
        }
        var parsed: [PublishItem] = []
        parsed.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            parsed.append(try parseItem(item, path: "items[\(index)]"))
        }
        return parsed
    }

    /// `POST /publish/CHANNEL` with a raw body: that body as both formats, so long-polls,
    /// streams and built-in subscribe routes all receive it. The caller checks the channel
    /// with `validate(channel:)` first.
    public static func shorthand(channel: String, body: [UInt8]) -> PublishItem {
        PublishItem(channel: channel, httpResponse: PublishedResponse(body: body), httpStream: .content(body))
    }

    /// A channel name is non-empty and has no control characters (it travels in URLs and headers).
    public static func validate(channel: String, path: String = "channel") throws(PublishError) {
        guard !channel.isEmpty else {
            throw PublishError(reason: "\(path) expected a non-empty channel name; got an empty string")
        }
        guard !channel.unicodeScalars.contains(where: isControl) else {
            throw PublishError(reason: "\(path) expected a channel name without control characters; got \(channel.debugDescription)")
        }
    }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool { scalar.value < 0x20 || scalar.value == 0x7F }

    private static func parseItem(_ value: JSONValue, path: String) throws(PublishError) -> PublishItem {
        let item = try JSONFields(value, path: path)
        guard let channel = try item.string("channel") else {
            throw PublishError(reason: "\(path).channel expected a string; got nothing")
        }
        try validate(channel: channel, path: "\(path).channel")
        let id = try item.string("id")
        let prevID = try item.string("prev-id")
        // Ids end up in SSE `id:` lines and must not break them.
        for (name, text) in [("id", id), ("prev-id", prevID)] {
            if let text, text.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) {
                throw PublishError(reason: "\(path).\(name) expected no CR, LF or NUL; got \(text.debugDescription)")
            }
        }
        let formats = try item.object("formats") ?? item
        let response = try formats.object("http-response").map { fields throws(PublishError) in try parseResponse(fields) }
        let stream = try formats.object("http-stream").map { fields throws(PublishError) in try parseStream(fields) }
        let webSocket = try formats.object("ws-message").map { fields throws(PublishError) in try parseWebSocketMessage(fields) }
        guard response != nil || stream != nil || webSocket != nil else {
            throw PublishError(reason: "\(formats.path) expected an http-response, http-stream or ws-message format; got none")
        }
        return PublishItem(channel: channel, id: id, prevID: prevID, httpResponse: response, httpStream: stream, wsMessage: webSocket)
    }

    private static func parseResponse(_ fields: JSONFields) throws(PublishError) -> PublishedResponse {
        let action = try fields.string("action")
        guard action == nil || action == "send" else {
            throw PublishError(reason: "\(fields.path).action expected send; got \"\(action ?? "")\"")
        }
        var response = PublishedResponse()
        // A final status only: a held client takes a 1xx for an interim answer and reads the body as the next response.
        switch fields.values["code"] {
        case nil, .null?: break
        case .integer(let code)? where FinalStatus.codes.contains(code): response.code = code
        case let other?: throw PublishError(reason: "\(fields.path).code expected a final status, an integer from 200 to 599; got \(other.described)")
        }
        if let reason = try fields.string("reason"), !reason.isEmpty {
            guard !reason.unicodeScalars.contains(where: { isControl($0) && $0 != "\t" }) else {
                throw PublishError(reason: "\(fields.path).reason expected no control characters; got \(reason.debugDescription)")
            }
            response.reason = reason
        }
        response.headers = try PublishedHeaders.parse(fields.values["headers"], path: "\(fields.path).headers")
        response.body = try fields.bytes(text: "body", base64: "body-bin") ?? []
        return response
    }

    /// `content` is a text message, `content-bin` a binary one, unless `type` says otherwise;
    /// `"action": "close"` closes, with an optional `code` (1000–4999) and `reason`.
    private static func parseWebSocketMessage(_ fields: JSONFields) throws(PublishError) -> PublishedWebSocketMessage {
        switch try fields.string("action") {
        case nil, "send"?:
            guard let content = try fields.bytes(text: "content", base64: "content-bin") else {
                throw PublishError(reason: "\(fields.path) expected content or content-bin; got neither")
            }
            switch try fields.string("type") ?? (fields.values["content-bin"] != nil ? "binary" : "text") {
            case "text":
                guard String(validating: content, as: UTF8.self) != nil else {
                    throw PublishError(reason: "\(fields.path).content-bin expected UTF-8 for a text message; got other bytes")
                }
                return .text(content)
            case "binary":
                return .binary(content)
            case let other:
                throw PublishError(reason: "\(fields.path).type expected text or binary; got \"\(other)\"")
            }
        case "close"?:
            var code: UInt16?
            switch fields.values["code"] {
            case nil, .null?: break
            case .integer(let value)? where (1000...4999).contains(value): code = UInt16(value)
            case let other?: throw PublishError(reason: "\(fields.path).code expected a close code from 1000 to 4999; got \(other.described)")
            }
            return .close(code: code, reason: try fields.string("reason") ?? "")
        case let other?:
            throw PublishError(reason: "\(fields.path).action expected send or close; got \"\(other)\"")
        }
    }

    private static func parseStream(_ fields: JSONFields) throws(PublishError) -> PublishedStream {
        switch try fields.string("action") {
        case nil, "send"?:
            guard let content = try fields.bytes(text: "content", base64: "content-bin") else {
                throw PublishError(reason: "\(fields.path) expected content or content-bin; got neither")
            }
            return .content(content)
        case "close"?:
            return .close
        case let other?:
            throw PublishError(reason: "\(fields.path).action expected send or close; got \"\(other)\"")
        }
    }
}
