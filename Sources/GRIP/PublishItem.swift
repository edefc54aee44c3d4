/// The `http-response` format of a published item: the whole answer to a held long-poll.
public struct PublishedResponse: Sendable, Equatable {
    public struct Header: Sendable, Equatable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// A final status (`FinalStatus.codes`).
    public var code: Int
    /// nil: the caller uses the standard reason phrase of `code`.
    public var reason: String?
    /// As published; the proxy drops hop-by-hop and `Grip-*` fields and frames the body itself.
    public var headers: [Header]
    public var body: [UInt8]

    public init(code: Int = 200, reason: String? = nil, headers: [Header] = [], body: [UInt8] = []) {
        self.code = code
        self.reason = reason
        self.headers = headers
        self.body = body
    }
}

/// The `http-stream` format of a published item: what held streams do.
public enum PublishedStream: Sendable, Equatable {
    /// Append these bytes to the stream.
    case content([UInt8])
    /// End the stream (`"action": "close"`).
    case close
}

/// The `ws-message` format of a published item: what WebSocket-over-HTTP clients subscribed by a
/// control message get.
public enum PublishedWebSocketMessage: Sendable, Equatable {
    case text([UInt8])
    case binary([UInt8])
    /// Close the WebSocket (`"action": "close"`), with this code (nil: 1000) and reason.
    case close(code: UInt16?, reason: String)
}

/// One published message for one channel, with at least one of its three formats.
public struct PublishItem: Sendable, Equatable {
    public var channel: String
    public var id: String?
    public var prevID: String?
    public var httpResponse: PublishedResponse?
    public var httpStream: PublishedStream?
    public var wsMessage: PublishedWebSocketMessage?

    public init(
        channel: String, id: String? = nil, prevID: String? = nil,
        httpResponse: PublishedResponse? = nil, httpStream: PublishedStream? = nil, wsMessage: PublishedWebSocketMessage? = nil
    ) {
        self.channel = channel
        self.id = id
        self.prevID = prevID
        self.httpResponse = httpResponse
        self.httpStream = httpStream
        self.wsMessage = wsMessage
    }

    /// What the built-in subscribe routes send (docs/grip.md, "Subscribing without a GRIP library"): the `http-stream` content, else the
    /// `http-response` body; nil when the item only closes streams.
    public var subscribePayload: [UInt8]? {
        if case .content(let content) = httpStream { return content }
        return httpResponse?.body
    }
}

/// A publish request that cannot be accepted; nothing of it was published. `reason` names the item and field.
public struct PublishError: Error, Equatable {
    public var reason: String

    public init(reason: String) { self.reason = reason }
}
