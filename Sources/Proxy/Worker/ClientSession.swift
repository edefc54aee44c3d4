import Config
import EventLoop
import HTTP1

/// One client connection, for its whole life: reads request heads, hands each request to an
/// `Exchange` (proxied), a built-in subscription, or an error answer, and holds the connection
/// when the answer is to wait. Requests on a connection are answered strictly in order: while one
/// is in progress, nothing more is read beyond its body (pipelined bytes wait in `input`).
final class ClientSession: SocketDelegate {
    unowned let runtime: WorkerRuntime
    let socket: Socket
    /// Received bytes not yet consumed: a partial head, or pipelined requests.
    var input: [UInt8] = []
    var phase: Phase = .closed
    private var hasServedRequest = false
    /// The client half-closed after a complete request: answer it, then close.
    private var clientFinishedSending = false
    var nextInList: ClientSession?
    unowned(unsafe) var previousInList: ClientSession?

    enum Phase {
        /// Between requests: nothing allocated until the next request's first bytes arrive.
        case awaitingRequest
        /// A head that did not arrive in one read.
        case readingHead(HeadReading)
        case exchanging(Exchange)
        case held(Hold)
        case closed
    }

    final class HeadReading {
        var parser: RequestHeadParser
        /// When the first byte of this head arrived.
        let startedAt: Int64
        init(parser: RequestHeadParser, startedAt: Int64) {
            self.parser = parser
            self.startedAt = startedAt
        }
    }

    init(runtime: WorkerRuntime, socket: Socket) {
        self.runtime = runtime
        self.socket = socket
        socket.setNoDelay()
        socket.delegate = self
        runtime.sessions.insert(self)
        startReadingHead()
    }

    /// Looked up when a request needs it rather than kept: a held client should cost as little as possible.
    var clientIP: String { socket.peerAddress?.ipString ?? "" }

    // MARK: Reading request heads

    func startReadingHead() {
        if runtime.isWindingDown {
            finish(closing: true)
            return
        }
        guard input.isEmpty else {
            // Pipelined bytes are already here.
            let reading = HeadReading(parser: RequestHeadParser(limits: runtime.limits), startedAt: runtime.base.nowMilliseconds)
            phase = .readingHead(reading)
            parseBufferedHead(reading)
            return
        }
        phase = .awaitingRequest
        // The first request gets the header timeout from the moment of connecting; later ones wait idle.
        socket.watchReadable(timeout: hasServedRequest ? runtime.config.timeouts.clientIdle : runtime.config.timeouts.clientHeader)
    }

    /// Common case: a whole head in one read, parsed straight from the scratch buffer, nothing kept.
    private func receiveFirstHeadBytes(_ bytes: UnsafeRawBufferPointer) {
        var parser = RequestHeadParser(limits: runtime.limits)
        do {
            switch try parser.parse(bytes) {
            case .incomplete:
                input.append(contentsOf: bytes)
                let reading = HeadReading(parser: parser, startedAt: runtime.base.nowMilliseconds)
                phase = .readingHead(reading)
                awaitRestOfHead(reading)
            case let .complete(head, headLength):
                if headLength < bytes.count { input.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[headLength...])) }
                dispatch(head)
            }
        } catch {
            refuse(error)
        }
    }

    private func parseBufferedHead(_ reading: HeadReading) {
        do {
            let result = try input.withUnsafeBytes { buffer throws(HTTPRequestError) in try reading.parser.parse(buffer) }
            switch result {
            case .incomplete:
                awaitRestOfHead(reading)
            case let .complete(head, headLength):
                input.removeFirst(headLength)
                dispatch(head)
            }
        } catch {
            refuse(error as? HTTPRequestError ?? .badRequest("unreadable head"))
        }
    }

    /// The whole head must arrive within `client_header` of its first byte (slowloris).
    private func awaitRestOfHead(_ reading: HeadReading) {
        let elapsed = runtime.base.nowMilliseconds - reading.startedAt
        let limit = runtime.config.timeouts.clientHeader
        let remaining = limit - .milliseconds(elapsed)
        if remaining <= .zero {
            headTimedOut()
        } else {
            socket.watchReadable(exactTimeout: remaining)
        }
    }

    private func headTimedOut() {
        runtime.countTimeout(.clientHeader)
        answerAndClose(status: 408)
    }

    // MARK: Dispatching a request

    private func dispatch(_ received: RequestHead) {
        let head = RequestNormalizer.normalized(received, allowsUnderscoresInHeaders: runtime.config.server.allowsUnderscoresInHeaders)
        hasServedRequest = true
        let (host, path) = RequestTarget.hostAndPath(head)
        guard let routeIndex = runtime.routeTable.match(host: host, path: path) else {
            answer(status: 404, route: nil, head: head)
            return
        }
        let route = runtime.config.routes[routeIndex]
        if let mode = route.subscribe {
            serveSubscription(mode: mode, route: routeIndex, prefix: route.pathPrefix, path: path, head: head)
            return
        }
        let clientIP = self.clientIP
        guard let backend = runtime.chooseBackend(route: routeIndex, head: head, clientIP: clientIP) else {
            answer(status: 503, route: routeIndex, head: head, body: "no healthy backend\n")
            return
        }
        let exchange = Exchange(session: self, head: head, route: routeIndex, backend: backend, clientIP: clientIP)
        phase = .exchanging(exchange)
        exchange.start()
    }

    /// Answers without a backend; the connection stays open only if no request body is left unread.
    func answer(status: Int, route: Int?, head: RequestHead, body: String = "") {
        runtime.countRequest(route: route, status: status)
        let keepAlive = head.keepAlive && head.framing == .none && !runtime.isWindingDown
        socket.write(CannedResponse.make(status: status, body: body, close: !keepAlive))
        finish(closing: !keepAlive)
    }

    private func refuse(_ error: HTTPRequestError) {
        answerAndClose(status: error.status)
    }

    /// Error answers close the connection: after a malformed request nothing that follows can be trusted.
    func answerAndClose(status: Int, route: Int? = nil) {
        runtime.countRequest(route: route, status: status)
        socket.write(CannedResponse.make(status: status, close: true))
        finish(closing: true)
    }

    /// The current request is done: read the next one, or close.
    func finish(closing: Bool) {
        // A socket that failed on write cannot carry another request: it closes too.
        if closing || clientFinishedSending || runtime.isWindingDown || !socket.isOpen {
            close(graceful: true)
        } else {
            startReadingHead()
        }
    }

    func close(graceful: Bool) {
        guard !socket.wasClosed else { return }
        phase = .closed
        input = []
        if graceful { socket.closeAfterFlush() } else { socket.close() }
        runtime.sessions.remove(self)
        runtime.onSessionsChanged()
    }

    // MARK: Socket events

    func socket(_ socket: Socket, didRead bytes: UnsafeRawBufferPointer) {
        switch phase {
        case .awaitingRequest:
            receiveFirstHeadBytes(bytes)
        case let .readingHead(reading):
            input.append(contentsOf: bytes)
            parseBufferedHead(reading)
        case let .exchanging(exchange):
            exchange.clientBytes(bytes)
        case .held:
            bufferWhileBusy(bytes)
        case .closed:
            break
        }
    }

    /// Bytes of a next request that arrive while this one is answered; bounded like a head.
    func bufferWhileBusy(_ bytes: UnsafeRawBufferPointer) {
        input.append(contentsOf: bytes)
        if input.count > runtime.limits.maxHeaderBytes { socket.stopWatchingReadable() }
    }

    func socketDidReadEOF(_ socket: Socket) {
        if case let .exchanging(exchange) = phase, exchange.isRequestComplete {
            // A half-close after a whole request is not an abort: the answer still goes out.
            clientFinishedSending = true
            return
        }
        clientGone()
    }

    func socket(_ socket: Socket, didFail error: SocketError) { clientGone() }

    func socketDidTimeOut(_ socket: Socket) {
        switch phase {
        case .awaitingRequest:
            runtime.countTimeout(hasServedRequest ? .clientIdle : .clientHeader)
            close(graceful: true)
        case .readingHead:
            headTimedOut()
        case let .held(hold):
            holdTimedOut(hold)
        case .exchanging, .closed:
            break
        }
    }

    func socketDidDrain(_ socket: Socket) {
        if case let .exchanging(exchange) = phase { exchange.clientDrained() }
    }

    /// The client closed or reset: everything it held is released at once.
    private func clientGone() {
        switch phase {
        case let .exchanging(exchange):
            exchange.abort()
        case let .held(hold):
            leaveHold(hold)
        case .awaitingRequest, .readingHead, .closed:
            break
        }
        close(graceful: false)
    }
}

extension ClientSession {
    /// Winding down: a connection waiting between requests has nothing left to finish.
    func closeIfIdle() {
        if case .awaitingRequest = phase { close(graceful: true) }
    }
}
