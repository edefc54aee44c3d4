import EventLoop
import GRIP
import HTTP1
import WebSocket

/// A WebSocket Holdfast terminates on a `websocket = "grip"` route and speaks to its backend in
/// WebSocket-over-HTTP (Pushpin's protocol): each batch of client events is one `POST` over the
/// pool, `Content-Type: application/websocket-events`, with the client's handshake headers,
/// `Connection-Id`, `Meta-*` (from earlier `Set-Meta-*`) and `Grip-Sig`; the answer's events become
/// frames to the client. The first request carries OPEN, and its answer decides the handshake. One
/// request at a time: events that arrive meanwhile wait and go together in the next, so order holds.
/// When the OPEN answer has `Sec-WebSocket-Extensions: grip`, the backend's text messages starting
/// `c:` are control messages (subscribe, set-meta, keep-alive, send-delayed, …) and only those
/// starting with the message prefix (default `m:`, stripped) reach the client; publishes in the
/// `ws-message` format reach it on the channels it was subscribed to.
final class WebSocketOverHTTP {
    private enum Phase {
        /// OPEN sent; the client has no `101` yet.
        case opening
        case open
        /// The client's close went (or goes) to the backend: its answer ends the connection.
        case closing(code: UInt16)
        case ended

        /// Counted in `holdfast_held_connections{kind="websocket"}` like a built-in subscribe.
        var isHeld: Bool {
            switch self {
            case .open, .closing: true
            case .opening, .ended: false
            }
        }
    }

    /// What only answering the handshake needs: dropped with the `101` or the refusal.
    private final class Opening {
        let route: Int
        let cors: CORSHeaders?
        /// Loop milliseconds at which the JWT that admitted the client expires: it is closed then (1008).
        let tokenExpiry: Int64?

        init(route: Int, cors: CORSHeaders?, tokenExpiry: Int64?) {
            self.route = route
            self.cors = cors
            self.tokenExpiry = tokenExpiry
        }
    }

    // Every held connection has one of these: references first, the small fields packed after
    // them, the rarely used ones in `occasional` (HeldClientFootprintTests pins the size).
    private let session: ClientSession
    private var runtime: WorkerRuntime { session.runtime }
    private let requestHead: OverHTTPRequestHead
    private var opening: Opening?
    /// Set when the backend speaks GRIP: what its messages for the client start with.
    private var messagePrefix: [UInt8]?
    /// Channels subscribed by control messages (interned: clients on the same channels share them).
    private var channels: [String] = []
    private var reader = HeldFrameReader()
    /// Encoded events for the next request.
    private var pending: [UInt8] = []
    private var call: BackendCall?
    /// While the client is gone and requests remain, nothing else keeps this object.
    private var lingering: WebSocketOverHTTP?
    private var occasional: OverHTTPOccasionalState?
    private let backend: Int32
    private var phase = Phase.opening {
        didSet {
            if phase.isHeld != oldValue.isHeld { runtime.stats.heldWebSockets += phase.isHeld ? 1 : -1 }
        }
    }
    private var retries: UInt8 = 0
    /// The timer is a retry's backoff: nothing is sent until it fires.
    private var isBackingOff = false
    /// The client is gone: the last requests (its events, DISCONNECT) are still made.
    private var isClientGone = false
    private var isClientPaused = false
    /// A control message detached the backend: nothing more is sent to it.
    private var isDetached = false

    static let contentType = "application/websocket-events"
    private static let maxRetries = 4
    private static let retryBaseMilliseconds: Int64 = 250
    /// Unsent client events past which the client is not read until the backend catches up.
    private static let pendingHighWater = 256 * 1024

    init(session: ClientSession, head: RequestHead, route: Int, backend: Int, clientIP: String, cors: CORSHeaders?,
         tokenExpiry: Int64?) {
        self.session = session
        self.backend = Int32(backend)
        requestHead = OverHTTPRequestHead(handshake: head, clientIP: clientIP, intern: session.runtime.internedHandshake)
        opening = Opening(route: route, cors: cors, tokenExpiry: tokenExpiry)
    }

    private var pool: UpstreamPool { runtime.pools[Int(backend)] }

    private var occasionalState: OverHTTPOccasionalState {
        if let occasional { return occasional }
        let state = OverHTTPOccasionalState()
        occasional = state
        return state
    }

    func start() {
        OverHTTPEventCodec.append(.open, to: &pending)
        send()
    }

    // MARK: Requests

    private func send() {
        guard call == nil else { return }
        occasional?.timer?.cancel()
        // The events go with the call (rather than stay here) until it is answered: sent again if it fails.
        let events = pending
        pending = []
        let call = BackendCall(pool: pool, request: request(body: events),
                               responseTimeout: runtime.config.timeouts.upstreamResponse,
                               maxHeadBytes: runtime.limits.maxHeaderBytes, maxBodyBytes: runtime.limits.maxBodyBytes) { result in
            self.answered(result, events: events)
        }
        self.call = call
        call.start()
        updateClientReading()
    }

    private func request(body: [UInt8]) -> [UInt8] {
        requestHead.request(body: body, meta: occasional?.meta ?? [], scheme: session.scheme, gripSignature: runtime.gripSignature,
                            backendAddress: pool.hostHeader)
    }

    /// The keep-alive request or the retry, on the one timer (made when first needed).
    private func schedule(after interval: Duration) {
        let state = occasionalState
        if state.timer == nil { state.timer = Timer(base: runtime.base) { [unowned self] in self.timerFired() } }
        state.timer?.schedule(after: interval)
    }

    private func timerFired() {
        isBackingOff = false
        send()
    }

    private func answered(_ result: Result<BackendCall.Answer, BackendCallFailure>, events: [UInt8]) {
        call = nil
        switch result {
        case let .failure(failure):
            failed(failure, events: events)
        case let .success(answer):
            retries = 0
            accept(answer)
        }
        if isClientGone && call == nil && !isBackingOff { lingering = nil }
    }

    /// A request without an answer: OPEN refuses the handshake; later ones are retried with a growing
    /// backoff, then the client is closed with 1011.
    private func failed(_ failure: BackendCallFailure, events: [UInt8]) {
        runtime.logger.warning("WebSocket-over-HTTP request failed",
                               metadata: ["backend": "\(pool.name)", "error": "\(failure.reason)"])
        if case .opening = phase { return refuseHandshake(status: 502, reason: "Bad Gateway", headers: HTTPHeaders(), body: []) }
        guard retries < Self.maxRetries else { return endWithServerError() }
        pending = events + pending
        isBackingOff = true
        schedule(after: .milliseconds(Self.retryBaseMilliseconds << retries))
        retries += 1
    }

    private func accept(_ answer: BackendCall.Answer) {
        let head = answer.head
        let isEvents = head.headers["content-type"].map { mediaType($0) == Self.contentType } ?? false
        guard head.status == 200, isEvents else {
            if case .opening = phase {
                return refuseHandshake(status: head.status == 200 ? 502 : head.status, reason: head.reason, headers: head.headers,
                                       body: head.status == 200 ? [] : answer.body)
            }
            return endWithServerError()
        }
        takeMeta(head.headers)
        if let interval = head.headers["keep-alive-interval"] {
            // Whole seconds, as the backend asks (Pushpin raises anything under 20 s to 20 s).
            occasionalState.keepAliveInterval = Int(interval).flatMap { $0 > 0 ? .seconds($0) : nil }
        }
        var decoder = OverHTTPEventDecoder(maxContentBytes: runtime.limits.maxBodyBytes)
        var events: [OverHTTPEvent]
        do {
            events = try decoder.read(answer.body)
            try decoder.finish()
        } catch {
            runtime.logger.warning("malformed websocket-events from backend",
                                   metadata: ["backend": "\(pool.name)", "error": "\(error.reason)"])
            if case .opening = phase { return refuseHandshake(status: 502, reason: "Bad Gateway", headers: HTTPHeaders(), body: []) }
            return endWithServerError()
        }
        if case .opening = phase {
            // The backend accepts with OPEN first (or with no events, when it keeps the connection alive).
            guard events.first == .open || (events.isEmpty && occasional?.keepAliveInterval != nil) else {
                return refuseHandshake(status: 502, reason: "Bad Gateway", headers: HTTPHeaders(), body: [])
            }
            if !events.isEmpty { events.removeFirst() }
            switchProtocols(head.headers)
        }
        deliver(events)
    }

    // MARK: The handshake

    private func switchProtocols(_ answerHeaders: HTTPHeaders) {
        guard let opening else { return }
        self.opening = nil
        messagePrefix = WebSocketGrip.messagePrefix(extensions: answerHeaders.values("sec-websocket-extensions"))
        var headers = answerHeaders
        removePrivateFields(&headers)
        headers.removeAll { $0.hasPrefixIgnoringASCIICase("content-") || $0.equalsIgnoringASCIICase("sec-websocket-accept") }
        headers.add("Sec-WebSocket-Accept", Handshake.acceptValue(forKey: requestHead.key))
        runtime.countRequest(route: opening.route, status: 101)
        session.write(ProxyHeaders.clientResponse(status: 101, reason: "Switching Protocols", headers: headers, framing: .none,
                                                  keepAlive: true, cors: opening.cors, upgrade: "websocket"))
        phase = .open
        if let tokenExpiry = opening.tokenExpiry {
            let expiry = Timer(base: runtime.base) { [unowned self] in
                if case .open = self.phase { self.session.closeWebSocket(code: CloseCode.policyViolation) }
            }
            expiry.schedule(after: .milliseconds(max(0, tokenExpiry - runtime.base.nowMilliseconds)))
            occasionalState.expiryTimer = expiry
        }
        session.webSocketOverHTTPOpened()
        // Frames the client sent before its 101.
        let early = session.takeInput()
        if !early.isEmpty { early.withUnsafeBytes { clientBytes($0) } }
    }

    /// The backend refused the handshake (or could not be reached): its status and body, then the close.
    private func refuseHandshake(status: Int, reason: String, headers answerHeaders: HTTPHeaders, body: [UInt8]) {
        guard let opening else { return }
        self.opening = nil
        phase = .ended
        var headers = answerHeaders
        removePrivateFields(&headers)
        headers.remove("content-length")
        runtime.countRequest(route: opening.route, status: status)
        session.write(ProxyHeaders.completeResponse(status: status, reason: reason, headers: headers, body: body,
                                                    keepAlive: false, cors: opening.cors))
        session.closeAfterOutput()
    }

    /// What the backend says to Holdfast alone never reaches the client.
    private func removePrivateFields(_ headers: inout HTTPHeaders) {
        headers.removeAll { name in
            name.hasPrefixIgnoringASCIICase("set-meta-") || name.equalsIgnoringASCIICase("keep-alive-interval")
                || name.equalsIgnoringASCIICase("sec-websocket-extensions")
        }
    }

    private func takeMeta(_ headers: HTTPHeaders) {
        for (name, value) in headers where name.hasPrefixIgnoringASCIICase("set-meta-") {
            let metaName = String(name.dropFirst("set-meta-".count))
            if !metaName.isEmpty { setMeta(metaName, value) }
        }
    }

    /// From a `Set-Meta-NAME` header or a `set-meta` control message; an empty value unsets it.
    private func setMeta(_ name: String, _ value: String) {
        occasional?.meta.removeAll { $0.name.equalsIgnoringASCIICase(name) }
        if !value.isEmpty { occasionalState.meta.append((name, value)) }
    }

    // MARK: The backend's events, to the client

    private func deliver(_ events: [OverHTTPEvent]) {
        guard !isClientGone else {
            if !pending.isEmpty { send() }
            return
        }
        for event in events {
            switch event {
            case .open:
                // Only the first answer's OPEN means anything.
                break
            case let .text(content):
                if messagePrefix != nil, content.starts(with: WebSocketGrip.controlPrefix) {
                    control(content.dropFirst(WebSocketGrip.controlPrefix.count))
                } else if let message = forClient(content) {
                    session.writeFrame(FrameEncoder.frame(.text, payload: message))
                }
            case let .binary(content):
                if let message = forClient(content) { session.writeFrame(FrameEncoder.frame(.binary, payload: message)) }
            case let .ping(content): session.writeFrame(FrameEncoder.frame(.ping, payload: content.prefix(125)))
            case let .pong(content): session.writeFrame(FrameEncoder.frame(.pong, payload: content.prefix(125)))
            case let .close(code, reason):
                phase = .ended
                let sent = code.flatMap { CloseCode.isValidOnWire($0) ? $0 : nil } ?? CloseCode.normal
                session.writeFrame(FrameEncoder.close(code: sent, reason: String(decoding: reason, as: UTF8.self)))
                session.closeAfterOutput()
                return
            case .disconnect:
                phase = .ended
                session.closeAfterOutput()
                return
            }
        }
        if case let .closing(code) = phase {
            // The backend answered the client's close without one of its own: the client's is echoed.
            phase = .ended
            session.closeWebSocket(code: code)
            return
        }
        if !pending.isEmpty {
            send()
        } else if let keepAliveInterval = occasional?.keepAliveInterval {
            schedule(after: keepAliveInterval)
        }
        updateClientReading()
    }

    /// A message for the client: with GRIP, only one with the prefix, which is removed.
    private func forClient(_ content: [UInt8]) -> ArraySlice<UInt8>? {
        guard let messagePrefix else { return content[...] }
        return content.starts(with: messagePrefix) ? content.dropFirst(messagePrefix.count) : nil
    }

    /// A GRIP control message; one that cannot be read, or of a type Pushpin does not know either,
    /// is ignored (and logged), as Pushpin does.
    private func control(_ json: ArraySlice<UInt8>) {
        switch WebSocketGrip.controlMessage(json) {
        case let .subscribe(name)? where !channels.contains(name):
            channels = runtime.interned(channels + [name])
            runtime.hub.subscribe(session, to: [name])
        case let .unsubscribe(name)? where channels.contains(name):
            channels = runtime.interned(channels.filter { $0 != name })
            runtime.hub.unsubscribe(session, from: [name])
        case .detach?:
            isDetached = true
            occasional?.keepAliveInterval = nil
            pending = []
        case let .setMeta(name, value)?:
            setMeta(name, value)
        case let .keepAlive(keepAlive)?:
            occasional?.clientKeepAlive?.cancel()
            occasionalState.clientKeepAlive = keepAlive.map { ClientKeepAlive($0, session: session) }
        case let .sendDelayed(message)?:
            // As in Pushpin, a message still pending goes first rather than being replaced unsent.
            flushDelayedMessage()
            occasionalState.delayedMessage = DelayedClientMessage(message, base: runtime.base) { [unowned self] in
                self.flushDelayedMessage()
            }
        case .flushDelayed?:
            flushDelayedMessage()
        case let .unknown(type)?:
            runtime.logger.debug("unknown GRIP control message type ignored",
                                 metadata: ["backend": "\(pool.name)", "type": "\(type)"])
        case nil:
            runtime.logger.warning("malformed GRIP control message", metadata: ["backend": "\(pool.name)"])
        case .subscribe?, .unsubscribe?, .session?:
            // Already subscribed, not subscribed, or a session id, which Pushpin keeps only for its optional state service.
            break
        }
    }

    private func flushDelayedMessage() {
        guard let delayed = occasional?.delayedMessage else { return }
        occasional?.delayedMessage = nil
        session.writeFrame(delayed.frame)
    }

    private func endWithServerError() {
        guard !isClientGone else { return }
        phase = .ended
        session.closeWebSocket(code: CloseCode.internalError)
    }

    // MARK: The client's frames, to the backend

    func clientBytes(_ bytes: UnsafeRawBufferPointer) {
        guard case .open = phase else { return }
        guard !isDetached else { return detachedClientBytes(bytes) }
        let events: [WebSocketEvent]
        do {
            events = try reader.read(bytes, runtime: runtime)
        } catch {
            // The backend hears of it as a DISCONNECT, when the session ends.
            return session.closeWebSocket(code: error.closeCode)
        }
        for event in events {
            switch event {
            case let .text(payload): OverHTTPEventCodec.append(.text(payload), to: &pending)
            case let .binary(payload): OverHTTPEventCodec.append(.binary(payload), to: &pending)
            case let .ping(payload): OverHTTPEventCodec.append(.ping(payload), to: &pending)
            case let .pong(payload): OverHTTPEventCodec.append(.pong(payload), to: &pending)
            case let .close(code, reason):
                OverHTTPEventCodec.append(.close(code: code, reason: Array(reason.utf8)), to: &pending)
                phase = .closing(code: code ?? CloseCode.normal)
            }
        }
        if !pending.isEmpty && call == nil && !isBackingOff { send() }
        updateClientReading()
    }

    /// Detached: the client's messages go nowhere; its pings are answered and its close ends it.
    private func detachedClientBytes(_ bytes: UnsafeRawBufferPointer) {
        do {
            for event in try reader.read(bytes, runtime: runtime) {
                switch event {
                case let .ping(payload): session.writeFrame(FrameEncoder.frame(.pong, payload: payload))
                case let .close(code, _): return session.closeWebSocket(code: code ?? CloseCode.normal)
                case .text, .binary, .pong: break
                }
            }
        } catch {
            session.closeWebSocket(code: error.closeCode)
        }
    }

    /// The session ended (the client vanished, or Holdfast closed it): unless the close handshake
    /// already went to the backend (or it was detached), it is told DISCONNECT, after what the
    /// client sent before.
    func clientEnded() {
        occasional?.clientEnded()
        if !channels.isEmpty {
            runtime.hub.unsubscribe(session, from: channels)
            channels = []
        }
        if isDetached { phase = .ended }
        switch phase {
        case .ended:
            return
        case .opening:
            phase = .ended
            call?.cancel()
            call = nil
            occasional?.timer?.cancel()
            return
        case .closing:
            break
        case .open:
            OverHTTPEventCodec.append(.disconnect, to: &pending)
        }
        phase = .ended
        isClientGone = true
        lingering = self
        if call == nil && !isBackingOff { send() }
    }

    /// Shutdown: an open WebSocket closes with 1001 (its DISCONNECT is sent, though the worker may
    /// exit before the backend answers it); a handshake under way finishes within the drain.
    /// A frame went to the client (an idle keep-alive starts its wait again).
    func clientWritten() { occasional?.clientKeepAlive?.clientWritten() }

    func shutDown() {
        if case .open = phase { session.closeWebSocket(code: CloseCode.goingAway) }
    }

    private func updateClientReading() {
        guard !isClientGone, case .open = phase else { return }
        let pause = pending.count > Self.pendingHighWater
        guard pause != isClientPaused else { return }
        isClientPaused = pause
        session.readWebSocket(!pause)
    }
}

/// The media type of a Content-Type value, lowercased, without parameters.
private func mediaType(_ value: String) -> String {
    (value.split(separator: ";", maxSplits: 1).first ?? "").trimmingOptionalWhitespace().lowercased()
}
