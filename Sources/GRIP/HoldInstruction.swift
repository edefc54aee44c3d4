/// How a held request is answered.
public enum HoldMode: Sendable {
    /// Long-poll: the first published `http-response` becomes the response.
    case response
    /// Streaming: the backend's response is sent now, published `http-stream` content is appended.
    case stream
}

/// One channel a held request listens on.
public struct ChannelSubscription: Sendable, Equatable {
    public var name: String
    /// The id of the last message the backend knew of on this channel (`prev-id` parameter).
    public var prevID: String?

    public init(name: String, prevID: String? = nil) {
        self.name = name
        self.prevID = prevID
    }
}

/// Bytes written to an idle stream so intermediaries and clients keep it open.
public struct KeepAlive: Sendable, Equatable {
    public var data: [UInt8]
    /// How long a stream stays idle before `data` is sent.
    public var interval: Duration

    public init(data: [UInt8], interval: Duration) {
        self.data = data
        self.interval = interval
    }
}

/// Where to fetch the continuation of a stream (`Grip-Link` with `rel=next`).
public struct GripLink: Sendable, Equatable {
    /// The URL as the backend wrote it between `<` and `>`; usually a path and query.
    public var url: String
    public var timeout: Duration?

    public init(url: String, timeout: Duration? = nil) {
        self.url = url
        self.timeout = timeout
    }
}

/// The status line to use for a held response (`Grip-Status`).
public struct GripStatus: Sendable, Equatable {
    public var code: Int
    /// Empty when the backend gave only a code: the caller uses the standard reason phrase.
    public var reason: String

    public init(code: Int, reason: String) {
        self.code = code
        self.reason = reason
    }
}

/// Everything a backend's `Grip-*` response headers ask the proxy to do.
public struct HoldInstruction: Sendable, Equatable {
    public var mode: HoldMode
    /// At least one, each name once, in the order the backend gave them.
    public var channels: [ChannelSubscription]
    /// `Grip-Timeout`, at least one second; nil means the configured `timeouts.hold`.
    public var timeout: Duration?
    public var keepAlive: KeepAlive?
    public var status: GripStatus?
    public var nextLink: GripLink?

    public init(
        mode: HoldMode, channels: [ChannelSubscription], timeout: Duration? = nil,
        keepAlive: KeepAlive? = nil, status: GripStatus? = nil, nextLink: GripLink? = nil
    ) {
        self.mode = mode
        self.channels = channels
        self.timeout = timeout
        self.keepAlive = keepAlive
        self.status = status
        self.nextLink = nextLink
    }
}

/// A backend sent `Grip-*` headers that cannot be followed; `reason` names the header and the value.
public struct GripHeaderError: Error, Equatable {
    public var reason: String

    public init(reason: String) { self.reason = reason }
}
