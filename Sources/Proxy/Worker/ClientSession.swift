import Config
import EventLoop
import HTTP1
import WebSocket

/// One client connection, for its whole life: the driver of its `ConnectionLifecycle`. Socket
/// events become the machine's inputs and its actions are performed here; the machine decides
/// deadlines, what bytes are for, and when the connection ends. Requests are answered strictly in
/// order: while one is in progress, later bytes wait in `input` (bounded).
final class ClientSession: SocketDelegate {
    unowned let runtime: WorkerRuntime
    let socket: Socket
    /// Received bytes not yet consumed: a partial head, or pipelined requests.
    private var input: [UInt8] = []
    // Field order packs the object, with a hold inline in `work`, into 104 bytes (every held client
    // has one): the flags sit in the lifecycle's tail padding.
    private var lifecycle: ConnectionLifecycle
    /// Serving pipelined heads in a loop rather than by recursion: set while a head is dispatched.
    private var isDispatching = false
    private var hasQueuedHead = false
    /// What the connection is busy with; exactly one thing at a time.
    private(set) var work: Work = .none

    enum Work {
        case none
        /// A head that did not arrive in one read.
        case readingHead(HeadReading)
        /// Waiting for a `type = "request"` auth's verdict; body bytes wait in `input`.
        case authorizing(AuthSubrequest)
        case exchange(Exchange)
        case hold(Hold)
        case tunnel(Tunnel)
        case webSocketOverHTTP(WebSocketOverHTTP)
    }

    final class HeadReading {
        var parser: RequestHeadParser
        init(parser: RequestHeadParser) { self.parser = parser }
    }

    init(runtime: WorkerRuntime, socket: Socket) {
        self.runtime = runtime
        self.socket = socket
        lifecycle = ConnectionLifecycle(settings: runtime.lifecycleSettings, connectedAt: runtime.base.nowMilliseconds)
        socket.setNoDelay()
        socket.reportsWriteStalls = true
        socket.delegate = self
        runtime.sessions.insert(self)
        perform(lifecycle.initialAction)
    }

    /// Made when a request needs it rather than kept: a held client should cost as little as possible.
    var clientIP: String { socket.peerIP }
    /// What the client spoke to Holdfast, for `X-Forwarded-Proto`.
    var scheme: String { socket.isEncrypted ? "https" : "http" }
    private var now: Int64 { runtime.base.nowMilliseconds }

    // MARK: Performing the lifecycle's actions

    private func perform(_ action: ConnectionLifecycle.Action) {
        switch action {
        case .none, .feedBody, .buffer, .relayToTunnel, .readFrames:
            break
        case let .read(deadline):
            watchReadable(until: deadline)
        case .parseHead:
            if isDispatching {
                hasQueuedHead = true
            } else if let head = takeBufferedHead() {
                serve(head)
            }
        case .stopReading:
            socket.stopWatchingReadable()
        case .wakeHold:
            if case let .hold(hold) = work { holdWoke(hold) }
        case let .timeOut(kind, answer):
            runtime.countTimeout(kind)
            if let answer {
                runtime.countRequest(route: nil, status: answer)
                // No whole request arrived: there is no Origin to answer.
                socket.write(CannedResponse.make(status: answer, close: true, cors: nil))
            }
            tearDown(graceful: true)
        case .close:
            tearDown(graceful: true)
        case let .abort(reason):
            if let reason { runtime.countDropped(reason) }
            tearDown(graceful: false)
        case let .cut(kind):
            runtime.countTimeout(kind)
            tearDown(graceful: false)
        }
    }

    /// Arms the read wait for an absolute deadline. The usual waits share libevent's O(1) queues;
    /// what is left of an interrupted wait (bytes arrived, the read event's timer restarted) is exact.
    private func watchReadable(until deadline: Int64?) {
        guard let deadline else { return socket.watchReadable(timeout: nil) }
        let remaining = max(0, deadline - now)
        let settings = lifecycle.settings
        if remaining == settings.headerTimeoutMilliseconds || remaining == settings.idleTimeoutMilliseconds
            || remaining == heldWakeMilliseconds || remaining == settings.tunnelIdleMilliseconds {
            socket.watchReadable(timeout: .milliseconds(remaining))
        } else {
            socket.watchReadable(exactTimeout: .milliseconds(remaining))
        }
    }

    private var heldWakeMilliseconds: Int64? {
        guard case let .hold(hold) = work else { return nil }
        return hold.wakeInterval?.milliseconds
    }

    /// Releases whatever the connection holds, then closes it. Safe to call more than once.
    private func tearDown(graceful: Bool) {
        guard !socket.wasClosed else { return }
        lifecycle.closed()
        let finished = work
        work = .none
        switch finished {
        case let .authorizing(subrequest): subrequest.abort()
        case let .exchange(exchange): exchange.abort()
        case let .hold(hold): release(hold)
        case let .tunnel(tunnel): tunnel.close()
        case let .webSocketOverHTTP(webSocket): webSocket.clientEnded()
        case .none, .readingHead: break
        }
        input = []
        if graceful { socket.closeAfterFlush() } else { socket.close() }
        runtime.sessions.remove(self)
        runtime.onSessionsChanged()
    }

    // MARK: Request heads

    /// Common case: a whole head in one read, parsed straight from the scratch buffer, nothing kept.
    private func receiveHeadBytes(_ bytes: UnsafeRawBufferPointer) {
        guard input.isEmpty, case .none = work else {
            input.append(contentsOf: bytes)
            if let head = takeBufferedHead() { serve(head) }
            return
        }
        var parser = RequestHeadParser(limits: runtime.limits)
        do {
            switch try parser.parse(bytes) {
            case .incomplete:
                input.append(contentsOf: bytes)
                work = .readingHead(HeadReading(parser: parser))
                perform(lifecycle.headIncomplete())
            case let .complete(head, headLength):
                if headLength < bytes.count { input.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[headLength...])) }
                serve(head)
            }
        } catch {
            answerAndClose(status: error.status)
        }
    }

    /// The next head from `input`, if it is all there; otherwise reading goes on (or the head was refused).
    private func takeBufferedHead() -> RequestHead? {
        let reading: HeadReading
        if case let .readingHead(current) = work {
            reading = current
        } else {
            reading = HeadReading(parser: RequestHeadParser(limits: runtime.limits))
            work = .readingHead(reading)
        }
        do {
            let result = try input.withUnsafeBytes { buffer throws(HTTPRequestError) in try reading.parser.parse(buffer) }
            switch result {
            case .incomplete:
                perform(lifecycle.headIncomplete())
                return nil
            case let .complete(head, headLength):
                input.removeFirst(headLength)
                work = .none
                return head
            }
        } catch {
            answerAndClose(status: (error as? HTTPRequestError)?.status ?? 400)
            return nil
        }
    }

    /// Serves `first`, then every pipelined head that its answer let through, one after another.
    private func serve(_ first: RequestHead) {
        isDispatching = true
        var next: RequestHead? = first
        while let head = next {
            hasQueuedHead = false
            dispatch(head)
            next = hasQueuedHead ? takeBufferedHead() : nil
        }
        isDispatching = false
    }

    private func dispatch(_ received: RequestHead) {
        var head = RequestNormalizer.normalized(received, allowsUnderscoresInHeaders: runtime.config.server.allowsUnderscoresInHeaders)
        lifecycle.headParsed(requestComplete: head.framing == .none)
        let (host, path) = RequestTarget.hostAndPath(head)
        let routeIndex = runtime.routeTable.match(host: host, path: path)
        let cors: CORSHeaders?
        switch runtime.corsVerdict(route: routeIndex, head: head) {
        case .notApplicable: cors = nil
        case let .answer(headers): cors = headers
        case let .preflightAllowed(headers):
            // Holdfast alone answers CORS: a preflight never reaches a backend.
            answer(status: 204, route: routeIndex, head: head, cors: headers)
            return
        case .preflightRefused:
            answer(status: 403, route: routeIndex, head: head, cors: .empty)
            return
        }
        if head.declaresBody(over: runtime.limits.maxBodyBytes) {
            // Refused here rather than by the parser, so the 413 carries the request's CORS headers.
            answerAndClose(status: 413, route: routeIndex, cors: cors)
            return
        }
        guard let routeIndex else {
            answer(status: 404, route: nil, head: head, cors: cors)
            return
        }
        let route = runtime.config.routes[routeIndex]
        let channel = route.subscribe.map { _ in ClientSession.subscribeChannel(path: path, prefix: route.pathPrefix) }
        var tokenExpiry: Int64?
        // Only Holdfast sets this header: a client's own copy could impersonate anyone.
        head.headers.remove(ClientSession.authSubjectHeader)
        if let auth = route.auth {
            // After CORS: a preflight carries no token, and a refusal carries the CORS headers.
            switch runtime.authenticators[auth] {
            case let .token(authenticator):
                switch authenticator.verdict(for: head, channel: channel, now: runtime.unixSeconds) {
                case let .admit(subject, expiresAt):
                    if let subject { head.headers.add(ClientSession.authSubjectHeader, subject) }
                    tokenExpiry = expiresAt.map(runtime.loopMilliseconds(atUnixSeconds:))
                case .unauthorized:
                    answer(status: 401, route: routeIndex, head: head, extraHeaders: [("WWW-Authenticate", "Bearer")], cors: cors)
                    return
                case .forbidden:
                    answer(status: 403, route: routeIndex, head: head, body: "this token does not grant the channel\n", cors: cors)
                    return
                }
            case let .subrequest(backend, path):
                let pending = AuthSubrequest.Pending(head: head, route: routeIndex, channel: channel, cors: cors)
                let subrequest = AuthSubrequest(session: self, pending: pending, backend: backend, path: path)
                work = .authorizing(subrequest)
                subrequest.start()
                return
            }
        }
        admitted(head, route: routeIndex, channel: channel, tokenExpiry: tokenExpiry, cors: cors)
    }

    /// The request passed routing, CORS and auth: it opens a WebSocket, is subscribed or is sent to a backend.
    private func admitted(_ head: RequestHead, route routeIndex: Int, channel: String?, tokenExpiry: Int64?, cors: CORSHeaders?) {
        let route = runtime.config.routes[routeIndex]
        // The lookup first: most requests have no Upgrade, and the handshake's own parsing allocates.
        let upgrade = head.headers.contains("upgrade") && Handshake.isUpgrade(head.headers.fields)
        // A WebSocket is tunnelled on routes with backends, served by Holdfast on `subscribe = "websocket"` ones.
        let opensWebSocket = route.subscribe.map { $0 == .websocket } ?? upgrade
        if opensWebSocket, let (status, reason, headers) = handshakeRefusal(head, cors: cors) {
            // A bad handshake never reaches a backend or a channel.
            answer(status: status, route: routeIndex, head: head, body: reason + "\n", extraHeaders: headers, cors: cors)
            return
        }
        if let mode = route.subscribe, let channel {
            serveSubscription(mode: mode, route: routeIndex, channel: channel, head: head, tokenExpiry: tokenExpiry, cors: cors)
            return
        }
        let clientIP = self.clientIP
        guard let backend = runtime.chooseBackend(route: routeIndex, head: head, clientIP: clientIP) else {
            answer(status: 503, route: routeIndex, head: head, body: "no healthy backend\n", cors: cors)
            return
        }
        if upgrade && route.webSocket == .grip {
            let webSocket = WebSocketOverHTTP(session: self, head: head, route: routeIndex, backend: backend, clientIP: clientIP, cors: cors,
                                              tokenExpiry: tokenExpiry)
            work = .webSocketOverHTTP(webSocket)
            webSocket.start()
            return
        }
        startExchange(Exchange(session: self, head: head, route: routeIndex, backend: backend, clientIP: clientIP, cors: cors,
                               tokenExpiry: tokenExpiry, upgrade: upgrade))
    }

    /// Why an `Upgrade: websocket` request is not a handshake to tunnel (RFC 6455 §4.2.1), or nil if it is.
    /// Browsers apply no CORS to WebSockets, so where Holdfast answers CORS it refuses a handshake
    /// from an origin not allowed (cross-site WebSocket hijacking, RFC 6455 §10.2).
    private func handshakeRefusal(_ head: RequestHead, cors: CORSHeaders?) -> (status: Int, reason: String, headers: [(String, String)])? {
        guard head.framing == .none else { return (400, "a WebSocket handshake has no body", []) }
        if cors == .empty, head.headers.contains("origin") { return (403, "this origin may not open a WebSocket", []) }
        let verdict = Handshake.check(method: head.method, isHTTP11: head.version == .http11, fields: head.headers.fields)
        guard case let .refused(status, reason) = verdict else { return nil }
        return (status, reason, verdict.headers)
    }

    func authSubrequestFinished(_ subrequest: AuthSubrequest, verdict: AuthSubrequest.Verdict) {
        guard case let .authorizing(current) = work, current === subrequest else { return }
        work = .none
        let pending = subrequest.pending
        switch verdict {
        case .admit:
            admitted(pending.head, route: pending.route, channel: pending.channel, tokenExpiry: nil, cors: pending.cors)
        case let .refuse(status, challenge):
            answer(status: status, route: pending.route, head: pending.head,
                   extraHeaders: challenge.map { [("WWW-Authenticate", $0)] } ?? [], cors: pending.cors)
        case .failed:
            answer(status: 502, route: pending.route, head: pending.head, body: "authentication backend failed\n", cors: pending.cors)
        }
    }

    static let authSubjectHeader = "Holdfast-Auth-Subject"

    func startExchange(_ exchange: Exchange) {
        work = .exchange(exchange)
        exchange.start()
    }

    // MARK: Answers

    /// Answers without a backend; the connection stays open only if no request body is left unread.
    func answer(status: Int, route: Int?, head: RequestHead, body: String = "", extraHeaders: [(String, String)] = [],
                cors: CORSHeaders?) {
        runtime.countRequest(route: route, status: status)
        let keepAlive = head.keepAlive && head.framing == .none && !runtime.isWindingDown
        let response = status == 204 ? CannedResponse.noContent(close: !keepAlive, cors: cors)
            : CannedResponse.make(status: status, body: body, close: !keepAlive, extraHeaders: extraHeaders, cors: cors)
        socket.write(response)
        requestFinished(keepAlive: keepAlive)
    }

    /// Error answers close the connection: after a malformed request nothing that follows can be trusted.
    func answerAndClose(status: Int, route: Int? = nil, cors: CORSHeaders? = nil) {
        runtime.countRequest(route: route, status: status)
        socket.write(CannedResponse.make(status: status, close: true, cors: cors))
        tearDown(graceful: true)
    }

    /// The current answer is complete: the lifecycle says whether the next request is read.
    func requestFinished(keepAlive: Bool) {
        work = .none
        perform(lifecycle.answered(keepAlive: keepAlive, windingDown: runtime.isWindingDown,
                                   pendingOutput: socket.pendingOutputBytes, buffered: input.count, now: now))
    }

    // MARK: What the exchange asks of its connection

    func write(_ bytes: [UInt8]) { socket.write(bytes) }
    func write(_ bytes: UnsafeRawBufferPointer) { socket.write(bytes) }
    /// A WebSocket frame to the client, counted for the metrics.
    func writeFrame(_ frame: [UInt8]) {
        runtime.countWebSocketOutput(frame)
        socket.write(frame)
        if case let .webSocketOverHTTP(webSocket) = work { webSocket.clientWritten() }
    }
    var pendingOutputBytes: Int { socket.pendingOutputBytes }

    /// Bytes that arrived with the head (the start of its body, or later requests).
    func takeInput() -> [UInt8] {
        defer { input = [] }
        return input
    }

    /// Bytes after the body: the next pipelined request.
    func keepInput(_ bytes: ArraySlice<UInt8>) { input.append(contentsOf: bytes) }

    /// Reading the body goes on (within the idle timeout) or pauses while the backend catches up.
    func readBody(_ wanted: Bool) {
        if wanted {
            socket.watchReadable(timeout: runtime.config.timeouts.clientIdle)
        } else {
            socket.stopWatchingReadable()
        }
    }

    /// The body is in: reading stays on, without a deadline, so EOF is noticed and later bytes are kept.
    func requestBodyComplete() {
        lifecycle.requestBodyComplete()
        socket.watchReadable(timeout: nil)
    }

    func exchangeFailed(status: Int, route: Int, cors: CORSHeaders?) {
        work = .none
        answerAndClose(status: status, route: route, cors: cors)
    }

    /// Part of the answer went out: the close is all the client can be told.
    func exchangeCutClient() {
        work = .none
        tearDown(graceful: true)
    }

    // MARK: Socket events

    func socket(_ socket: Socket, didRead bytes: UnsafeRawBufferPointer) {
        let action = lifecycle.bytesArrived(count: bytes.count, buffered: input.count, now: now)
        switch action {
        case .parseHead:
            receiveHeadBytes(bytes)
        case .feedBody:
            switch work {
            case let .exchange(exchange): exchange.clientBytes(bytes)
            case .authorizing: bodyArrivedWhileAuthorizing(bytes)
            case .none, .readingHead, .hold, .tunnel, .webSocketOverHTTP: break
            }
        case .relayToTunnel:
            if case let .tunnel(tunnel) = work { tunnel.clientBytes(bytes) }
        case let .readFrames(deadline):
            // Read without a deadline: reading pauses only while the backend catches up.
            if case let .webSocketOverHTTP(webSocket) = work { return webSocket.clientBytes(bytes) }
            if case let .hold(hold) = work, let webSocket = hold.webSocket { readFrames(bytes, of: webSocket) }
            // The read event's timer restarted with these bytes: the next ping did not.
            if !socket.wasClosed { watchReadable(until: deadline) }
        case let .buffer(thenStopReading, deadline):
            input.append(contentsOf: bytes)
            if thenStopReading {
                socket.stopWatchingReadable()
            } else if deadline != nil {
                // The read event's timer restarted with these bytes: the deadline did not.
                watchReadable(until: deadline)
            }
        default:
            perform(action)
        }
    }

    /// The body waits for the auth verdict in `input`, which the exchange takes first (and reads on
    /// from there); reading pauses once a head's worth is kept.
    private func bodyArrivedWhileAuthorizing(_ bytes: UnsafeRawBufferPointer) {
        input.append(contentsOf: bytes)
        if input.count >= runtime.limits.maxHeaderBytes { socket.stopWatchingReadable() }
    }

    func socketDidReadEOF(_ socket: Socket) { perform(lifecycle.peerClosed()) }

    func socket(_ socket: Socket, didFail error: SocketError) { perform(lifecycle.socketFailed()) }

    func socketDidTimeOut(_ socket: Socket) { perform(lifecycle.deadlinePassed(now: now)) }

    func socketWriteDidStall(_ socket: Socket) { perform(lifecycle.writeStalled()) }

    func socketDidDrain(_ socket: Socket) {
        switch work {
        case let .exchange(exchange): exchange.clientDrained()
        case let .tunnel(tunnel): tunnel.clientDrained()
        case .none, .readingHead, .authorizing, .hold, .webSocketOverHTTP: break
        }
        perform(lifecycle.outputDrained(buffered: input.count, now: now))
    }

    /// Winding down: a connection waiting between requests has nothing left to finish.
    func closeIfIdle() { perform(lifecycle.windDown()) }

    // MARK: Holds (see ClientSession+Holding)

    func beginHold(_ hold: Hold) {
        work = .hold(hold)
        perform(lifecycle.held(wakeAt: hold.wakeAt(from: now), asWebSocket: hold.webSocket != nil))
    }

    /// A held stream was written to: its keep-alive tick starts again.
    func holdWritten(_ hold: Hold) {
        perform(lifecycle.holdRescheduled(wakeAt: hold.wakeAt(from: now)))
    }

    /// The hold is over (`leaveHold` released it): its answer is being finished, or its stream goes on
    /// with the backend.
    func holdEnded() {
        work = .none
        lifecycle.holdEnded()
    }

    /// Ends a WebSocket Holdfast serves: its close frame (the answer to the client's, or why), then the close.
    func closeWebSocket(code: UInt16) {
        writeFrame(FrameEncoder.close(code: code))
        tearDown(graceful: true)
    }

    /// What was written goes out, then the connection closes (a WebSocket-over-HTTP backend's
    /// DISCONNECT, or its refusal of the handshake).
    func closeAfterOutput() { tearDown(graceful: true) }

    /// A WebSocket-over-HTTP backend accepted: from now on the client's frames are read as they come.
    func webSocketOverHTTPOpened() { perform(lifecycle.held(wakeAt: nil, asWebSocket: true)) }

    /// A WebSocket-over-HTTP client is read only while its backend keeps up.
    func readWebSocket(_ wanted: Bool) {
        if wanted { socket.watchReadable(timeout: nil) } else { socket.stopWatchingReadable() }
    }

    /// A held client cut off by Holdfast (too slow a reader).
    func dropHeldClient(_ reason: DropReason) {
        runtime.countDropped(reason)
        tearDown(graceful: false)
    }

    // MARK: Tunnels (see Tunnel)

    /// The backend accepted a WebSocket upgrade: from now on this connection is a tunnel to it.
    /// What the client sent after its handshake goes first.
    func beginTunnel(backend: Socket, pool: UpstreamPool, backendBytes: [UInt8]) {
        let tunnel = Tunnel(session: self, backend: backend, pool: pool)
        work = .tunnel(tunnel)
        perform(lifecycle.tunnelOpened(now: now))
        tunnel.start(clientBytes: takeInput(), backendBytes: backendBytes)
    }

    func tunnelTraffic() { lifecycle.tunnelTraffic(now: now) }

    /// The backend's side timed out: idle only if the client was silent as long.
    func tunnelDeadlinePassed() { perform(lifecycle.deadlinePassed(now: now)) }

    /// The backend closed or failed: the client gets what is on its way, then the close.
    func tunnelEnded() {
        lifecycle.closed()
        tearDown(graceful: true)
    }

    /// The client is read only while the backend keeps up.
    func readTunnel(_ wanted: Bool) {
        if wanted {
            socket.watchReadable(timeout: runtime.config.websocket.tunnelIdle)
        } else {
            socket.stopWatchingReadable()
        }
    }
}
