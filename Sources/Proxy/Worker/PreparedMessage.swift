import GRIP
import HTTP1
import WebSocket

/// One published item as this worker delivers it. Its wire forms are built once, on first use,
/// and shared by every subscriber (writes go straight to each socket; nothing is copied per client).
final class PreparedMessage {
    let item: PublishItem
    /// The item's id, or one Holdfast assigned (unique per publish), for SSE and history replay.
    let id: String
    let publishedAt: Int64

    init(item: PublishItem, id: String, publishedAt: Int64) {
        self.item = item
        self.id = id
        self.publishedAt = publishedAt
    }

    /// Built-in routes: the `http-stream` content, else the `http-response` body.
    lazy var payload: [UInt8] = item.subscribePayload ?? []

    /// A held GRIP stream's next chunk, or nil when the item has no stream content.
    lazy var streamChunk: [UInt8]? = {
        guard case let .content(bytes) = item.httpStream, !bytes.isEmpty else { return nil }
        return ChunkedEncoder.chunk(bytes)
    }()

    lazy var rawStreamChunk: [UInt8] = ChunkedEncoder.chunk(payload)

    lazy var sseChunk: [UInt8] = ChunkedEncoder.chunk(SSEFormat.event(id: id, payload: payload))

    /// Built-in WebSocket routes: the payload as one frame, text when it is UTF-8, else binary
    /// (a publish does not say which it meant: `content-bin` and `content` both become bytes).
    lazy var webSocketFrame: [UInt8] = {
        var validator = UTF8Validator()
        let isText = validator.validate(payload) && validator.isAtBoundary
        return FrameEncoder.frame(isText ? .text : .binary, payload: payload)
    }()

    /// WebSocket-over-HTTP clients subscribed by a control message: the `ws-message` as one frame;
    /// nil when the item has no such format.
    lazy var overHTTPFrame: [UInt8]? = {
        switch item.wsMessage {
        case nil: return nil
        case let .text(content)?: return FrameEncoder.frame(.text, payload: content)
        case let .binary(content)?: return FrameEncoder.frame(.binary, payload: content)
        case let .close(code, reason)?: return FrameEncoder.close(code: code ?? CloseCode.normal, reason: reason)
        }
    }()

    /// Subscribers that differ only in these share one response. Their CORS headers are one of a
    /// handful (one per allowed origin), and nil for clients without `Origin`.
    private struct ResponseForm: Hashable {
        var keepAlive: Bool
        var headOnly: Bool
        var cors: CORSHeaders?
    }

    private var responses: [ResponseForm: [UInt8]] = [:]
    private var longPollResponses: [ResponseForm: [UInt8]] = [:]
    /// Forms kept per message (it may live on in history): many wildcard-subdomain origins must not
    /// make it keep a copy per origin, so forms beyond these are built per subscriber instead.
    private static let cachedFormLimit = 16

    /// The complete response a held long-poll gets from this item (`headOnly`: it asked with HEAD).
    func httpResponse(keepAlive: Bool, headOnly: Bool, cors: CORSHeaders?) -> [UInt8]? {
        guard let response = item.httpResponse else { return nil }
        return cached(ResponseForm(keepAlive: keepAlive, headOnly: headOnly, cors: cors), in: &responses) {
            ProxyHeaders.completeResponse(status: response.code, reason: response.reason ?? reasonPhrase(for: response.code),
                                          headers: HTTPHeaders(response.headers.map { ($0.name, $0.value) }),
                                          body: response.body, keepAlive: keepAlive, headOnly: headOnly, cors: cors)
        }
    }

    /// The answer of a built-in long-poll route, shared like `httpResponse`.
    func longPollResponse(keepAlive: Bool, cors: CORSHeaders?) -> [UInt8] {
        cached(ResponseForm(keepAlive: keepAlive, headOnly: false, cors: cors), in: &longPollResponses) {
            var headers = HTTPHeaders([("Content-Type", "application/octet-stream"), ("Content-Length", String(payload.count)),
                                       ("Cache-Control", "no-cache"), ("Event-ID", id)])
            cors?.apply(to: &headers)
            if !keepAlive { headers.add("Connection", "close") }
            return HeadSerializer.response(status: 200, reason: "OK", headers: headers) + payload
        }
    }

    private func cached(_ form: ResponseForm, in cache: inout [ResponseForm: [UInt8]], build: () -> [UInt8]) -> [UInt8] {
        if let bytes = cache[form] { return bytes }
        let bytes = build()
        if cache.count < Self.cachedFormLimit { cache[form] = bytes }
        return bytes
    }
}
