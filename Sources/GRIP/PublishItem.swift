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

/// One published message for one channel, with at least one of its two formats.
public struct PublishItem: Sendable, Equatable {
    public var channel: String
    public var id: String?
    public var prevID: String?
    public var httpResponse: PublishedResponse?
    public var httpStream: PublishedStream?

    public init(
        channel: String, id: String? = nil, prevID: String? = nil,
        httpResponse: PublishedResponse? = nil, httpStream: PublishedStream? = nil
    ) {
        self.channel = channel
        self.id = id
        self.prevID = prevID
        self.httpResponse = httpResponse
        self.httpStream = httpStream
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
