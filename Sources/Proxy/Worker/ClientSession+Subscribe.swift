import Config
import GRIP
import HTTP1

extension ClientSession {
    /// Built-in subscribe routes (docs/grip.md): `GET <prefix><channel>` subscribes without any backend.
    /// `tokenExpiry` (loop milliseconds): when the token that admitted the request stops being valid.
    func serveSubscription(mode: SubscribeMode, route: Int, channel: String, head: RequestHead, tokenExpiry: Int64?,
                           cors: CORSHeaders?) {
        guard head.method == "GET" else {
            answer(status: 405, route: route, head: head, body: "subscribe routes take GET\n", cors: cors)
            return
        }
        guard !channel.isEmpty else {
            answer(status: 404, route: route, head: head, body: "no channel in the path\n", cors: cors)
            return
        }
        let now = runtime.base.nowMilliseconds
        let lastEventID = head.headers["last-event-id"] ?? QueryParameter.value(named: "last-event-id", in: head.target)
        let localReplay = lastEventID.flatMap { runtime.hub.history(of: channel, after: $0, now: now) }
        if let lastEventID, localReplay == nil, let requestHistory = runtime.requestHistory, runtime.config.channels.historyLength > 0 {
            // Not in this worker's history: the client may come from another instance, and Redis's history is shared.
            // The reservation keeps the channel subscribed in Redis meanwhile, so what is published during the wait
            // reaches this worker's history and is replayed too.
            let hub = runtime.hub
            let mark = hub.reserve(channel)
            requestHistory(channel, lastEventID) { [weak self] items in
                defer { hub.release(channel) }
                guard let self, !self.socket.wasClosed else { return }
                let later = self.runtime.base.nowMilliseconds
                var replay = items.map { PreparedMessage(item: $0, id: $0.id ?? "", publishedAt: later) }
                let fetched = Set(replay.map(\.id))
                replay += hub.history(of: channel, recordedSince: mark, now: later).filter { !fetched.contains($0.id) }
                self.startSubscription(mode: mode, route: route, channel: channel, head: head, replay: replay,
                                       tokenExpiry: tokenExpiry, cors: cors)
            }
            return
        }
        startSubscription(mode: mode, route: route, channel: channel, head: head, replay: localReplay ?? [], tokenExpiry: tokenExpiry, cors: cors)
    }

    private func startSubscription(mode: SubscribeMode, route: Int, channel: String, head: RequestHead, replay: [PreparedMessage],
                                   tokenExpiry: Int64?, cors: CORSHeaders?) {
        let chunked = head.version == .http11
        let keepAlive = head.keepAlive && !runtime.isWindingDown
        let channels = runtime.interned([channel])
        switch mode {
        case .longpoll:
            if let first = replay.first {
                runtime.countRequest(route: route, status: 200)
                socket.write(first.longPollResponse(keepAlive: keepAlive, cors: cors))
                requestFinished(keepAlive: keepAlive)
                return
            }
            enterHold(Hold(kind: .subscribeLongPoll, channels: channels, chunked: false, keepAlive: keepAlive,
                           wakeInterval: runtime.config.timeouts.hold, route: route, cors: cors, tokenExpiry: tokenExpiry))
        case .sse:
            writeStreamHead(contentType: "text/event-stream", chunked: chunked, route: route, cors: cors)
            for message in replay { socket.write(chunked ? message.sseChunk : SSEFormat.event(id: message.id, payload: message.payload)) }
            enterHold(Hold(kind: .subscribeSSE, channels: channels, chunked: chunked, keepAlive: keepAlive,
                           wakeInterval: runtime.config.timeouts.streamKeepalive, route: route, cors: nil, tokenExpiry: tokenExpiry))
        case .stream:
            writeStreamHead(contentType: "application/octet-stream", chunked: chunked, route: route, cors: cors)
            for message in replay where !message.payload.isEmpty { socket.write(chunked ? message.rawStreamChunk : message.payload) }
            enterHold(Hold(kind: .subscribeStream, channels: channels, chunked: chunked, keepAlive: keepAlive,
                           wakeInterval: nil, route: route, cors: nil, tokenExpiry: tokenExpiry))
        case .websocket:
            // The handshake was checked before routing went this far.
            writeSwitchingProtocols(key: head.headers["sec-websocket-key"] ?? "", route: route, cors: cors)
            for message in replay where message.item.subscribePayload != nil { writeFrame(message.webSocketFrame) }
            enterHold(Hold(kind: .subscribeWebSocket, channels: channels, chunked: false, keepAlive: false,
                           wakeInterval: runtime.config.websocket.pingInterval, route: route, cors: nil,
                           webSocket: WebSocketHold(), tokenExpiry: tokenExpiry))
        }
    }

    /// The channel named by the path after the route's prefix, percent-decoded; "" when none.
    static func subscribeChannel(path: String, prefix: String) -> String {
        PercentDecoding.decode(Substring(path.dropFirst(prefix.count)), plusAsSpace: false, brokenEscapes: .keep)!
    }

    /// Streams carry their CORS headers in this head only: what follows is body.
    private func writeStreamHead(contentType: String, chunked: Bool, route: Int, cors: CORSHeaders?) {
        var headers = HTTPHeaders([("Content-Type", contentType), ("Cache-Control", "no-cache")])
        cors?.apply(to: &headers)
        headers.add(chunked ? "Transfer-Encoding" : "Connection", chunked ? "chunked" : "close")
        runtime.countRequest(route: route, status: 200)
        socket.write(HeadSerializer.response(status: 200, reason: "OK", headers: headers))
    }
}
