import Config
import EventLoop
import GRIP
import HTTP1

/// What a held client keeps while it waits: its channels, how to answer or feed it, and when to wake it.
/// Nothing of the request survives here (no headers, no parser state). A value carried inline by
/// the session's `work`, so a held client is one heap block rather than two.
struct Hold {
    enum Kind {
        /// GRIP long-poll: answered by the first `http-response` item, else by the backend's own response.
        /// `headOnly`: the request was HEAD, so a published answer goes out without its body.
        case response(timeoutResponse: [UInt8], headOnly: Bool)
        /// GRIP stream: `http-stream` items are appended; keep-alive data when idle.
        case stream(keepAlive: [UInt8]?)
        /// Built-in routes (docs/grip.md).
        case subscribeSSE
        case subscribeStream
        case subscribeLongPoll
        /// A WebSocket Holdfast serves itself: each message is one frame; pinged while idle.
        case subscribeWebSocket

        /// Answered once (long-polls) rather than streamed.
        var isResponse: Bool {
            switch self {
            case .response, .subscribeLongPoll: true
            case .stream, .subscribeSSE, .subscribeStream, .subscribeWebSocket: false
            }
        }

        /// A built-in subscribe route rather than a GRIP hold.
        var isSubscription: Bool {
            switch self {
            case .subscribeSSE, .subscribeStream, .subscribeLongPoll, .subscribeWebSocket: true
            case .response, .stream: false
            }
        }
    }

    // Field order matters here: it packs the value into 40 bytes, which keeps the session that
    // carries it in the 112-byte malloc class (HeldClientFootprintTests).
    let channels: [String]
    /// What only some holds need, in one slot since none needs both.
    private enum Extra {
        /// A stream whose backend gave a `Grip-Link` (rare, so it costs others nothing).
        case continuation(StreamContinuation)
        /// A long-poll's CORS headers, for its answer made after the head is gone (published or
        /// timed out); interned. A stream's went out with its head.
        case cors(CORSHeaders)
        /// A WebSocket's frame reading and ping state.
        case webSocket(WebSocketHold)
    }

    private let extra: Extra?
    /// How long the socket's read event waits before waking the hold (timeout or keep-alive tick); 0: never.
    private let wakeMilliseconds: Int32
    private let routeIndex: Int32
    let kind: Kind
    /// Whether the stream is chunked (HTTP/1.1 clients) rather than delimited by closing.
    let chunked: Bool
    let keepAlive: Bool
    /// Loop-clock second at which the JWT that admitted the client expires; 0: no token. Four bytes
    /// fit the padding before the 64-byte boundary, so a token-less hold costs nothing more.
    private let tokenExpirySeconds: UInt32

    /// `tokenExpiry`: loop milliseconds at which the admitting token expires, nil without one.
    init(kind: Kind, channels: [String], chunked: Bool, keepAlive: Bool, wakeInterval: Duration?, route: Int,
         cors: CORSHeaders?, continuation: StreamContinuation? = nil, webSocket: WebSocketHold? = nil, tokenExpiry: Int64? = nil) {
        assert([cors != nil, continuation != nil, webSocket != nil].filter { $0 }.count <= 1,
               "a hold keeps a continuation, CORS headers or WebSocket state, one at most")
        self.channels = channels
        extra = continuation.map(Extra.continuation) ?? cors.map(Extra.cors) ?? webSocket.map(Extra.webSocket)
        wakeMilliseconds = wakeInterval.map { Int32(clamping: $0.milliseconds) } ?? 0
        routeIndex = Int32(clamping: route)
        self.kind = kind
        self.chunked = chunked
        self.keepAlive = keepAlive
        // Rounded up: the client is never cut before its token's time.
        tokenExpirySeconds = tokenExpiry.map { UInt32(clamping: max(1, ($0 + 999) / 1000)) } ?? 0
    }

    var continuation: StreamContinuation? { if case let .continuation(continuation)? = extra { continuation } else { nil } }
    /// Nil where CORS is off.
    var cors: CORSHeaders? { if case let .cors(cors)? = extra { cors } else { nil } }
    var webSocket: WebSocketHold? { if case let .webSocket(state)? = extra { state } else { nil } }

    var wakeInterval: Duration? { wakeMilliseconds == 0 ? nil : .milliseconds(wakeMilliseconds) }

    /// When a hold that starts (or was last written to) at `now` wakes: its timeout or keep-alive
    /// tick, or its token's expiry if that comes first; nil: never.
    func wakeAt(from now: Int64) -> Int64? {
        let tick = wakeMilliseconds == 0 ? nil : now + Int64(wakeMilliseconds)
        guard tokenExpirySeconds != 0 else { return tick }
        let expiry = Int64(tokenExpirySeconds) * 1000
        return min(tick ?? expiry, expiry)
    }

    /// Whether the token that admitted this client has expired at `now` (loop milliseconds).
    func tokenExpired(at now: Int64) -> Bool { tokenExpirySeconds != 0 && now >= Int64(tokenExpirySeconds) * 1000 }
    var route: Int { Int(routeIndex) }

    static func response(instruction: HoldInstruction, timeoutResponse: [UInt8], headOnly: Bool, keepAlive: Bool,
                         runtime: WorkerRuntime, route: Int, cors: CORSHeaders?, tokenExpiry: Int64?) -> Hold {
        Hold(kind: .response(timeoutResponse: runtime.interned(timeoutResponse), headOnly: headOnly),
             channels: runtime.interned(instruction.channels.map(\.name)), chunked: false, keepAlive: keepAlive,
             wakeInterval: instruction.timeout ?? runtime.config.timeouts.hold, route: route, cors: cors, tokenExpiry: tokenExpiry)
    }

    /// A stream's head went out already, with its CORS headers: what follows is body.
    static func stream(instruction: HoldInstruction, chunked: Bool, continuation: StreamContinuation?,
                       runtime: WorkerRuntime, route: Int, tokenExpiry: Int64?) -> Hold {
        let keepAlive = instruction.keepAlive
        return Hold(kind: .stream(keepAlive: keepAlive.map(\.data)), channels: runtime.interned(instruction.channels.map(\.name)),
                    chunked: chunked, keepAlive: continuation?.keepAlive ?? true, wakeInterval: keepAlive?.interval, route: route,
                    cors: nil, continuation: continuation, tokenExpiry: tokenExpiry)
    }

    /// The `kind` label of `holdfast_held_connections`.
    var metricKind: HeldKind {
        switch kind {
        case .response, .subscribeLongPoll: .response
        case .stream, .subscribeStream: .stream
        case .subscribeSSE: .sse
        case .subscribeWebSocket: .websocket
        }
    }

    enum HeldKind {
        case response, stream, sse, websocket
    }
}
