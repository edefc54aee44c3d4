import EventLoop
import HTTP1

/// One keep-alive HTTP/1.1 connection to the control listener. Reads a request (head, then a body by
/// Content-Length or chunked), hands it to the server's handler, and goes on reading pipelined ones
/// while it is answered (up to `maxUnanswered`), so their publishes overlap; answers are written
/// strictly in request order (`OrderedAnswers`), those ready in one pass of the loop in one write
/// (a batch of publishes completes together). Timeouts are the client side's: the first
/// request has `client_header` from connecting, every head `client_header` from its first byte (408
/// when it passes, against slowloris), and the wait between requests and between a body's pieces is
/// `client_idle`.
final class ControlConnection: SocketDelegate {
    typealias Handler = (ControlRequest, @escaping (ControlResponse) -> Void) -> Void
    /// Requests read ahead of their answers; at this many the connection reads on only as they are answered.
    static let maxUnanswered = 32

    private enum Phase {
        /// Nothing of the next request has arrived.
        case awaitingRequest
        /// `startedAt`: when the head's first byte arrived (the loop's milliseconds).
        case head(RequestHeadParser, startedAt: Int64)
        case body(RequestHead, DecodedBody, received: [UInt8])
        /// `maxUnanswered` requests are unanswered: reading resumes when one is.
        case waitingForAnswers
        /// No further request is read (one asked to close, one was refused, or the peer stopped
        /// sending); the connection closes once the answers still due are written.
        case finishing
    }

    private let socket: Socket
    private let server: ControlServer
    private var input: [UInt8] = []
    private var phase = Phase.awaitingRequest
    private var answers = OrderedAnswers()
    /// Answers let out in order, written when the loop's pass is done (`ControlServer.writeAtEndOfPass`).
    private var unwritten: [UInt8] = []
    /// Set when the connection ends, so an answer that arrives later is dropped.
    private var isClosed = false

    init(socket: Socket, server: ControlServer) {
        self.socket = socket
        self.server = server
        socket.delegate = self
        socket.watchReadable(timeout: server.limits.headerTimeout)
    }

    func socket(_ socket: Socket, didRead bytes: UnsafeRawBufferPointer) {
        if case .awaitingRequest = phase {
            phase = .head(RequestHeadParser(limits: server.limits.http), startedAt: server.base.nowMilliseconds)
        }
        input.append(contentsOf: bytes)
        advance()
    }

    func socketDidReadEOF(_ socket: Socket) { finish() }
    func socket(_ socket: Socket, didFail error: SocketError) { close() }

    func socketDidTimeOut(_ socket: Socket) {
        switch phase {
        case .awaitingRequest: finish()
        case .head, .body: answerLast(.error(408, "request not received within the time allowed"))
        case .waitingForAnswers, .finishing: break
        }
    }

    private func close() {
        isClosed = true
        socket.close()
    }

    private func advance() {
        do throws(HTTPRequestError) {
            try process()
        } catch {
            refuse(error)
        }
    }

    /// Advances through whatever input is buffered, until it runs out or no more may be read yet.
    private func process() throws(HTTPRequestError) {
        while true {
            switch phase {
            case .awaitingRequest, .waitingForAnswers, .finishing:
                return
            case .head(var parser, let startedAt):
                let result = try input.withUnsafeBytes { bytes in
                    Result { () throws(HTTPRequestError) in try parser.parse(bytes) }
                }.get()
                guard case let .complete(head, headLength) = result else {
                    phase = .head(parser, startedAt: startedAt)
                    awaitRestOfHead(startedAt: startedAt)
                    return
                }
                input.removeFirst(headLength)
                try startBody(of: head)
            case .body(let head, var decoder, var received):
                let consumed = try input.withUnsafeBytes { bytes in
                    Result { () throws(HTTPRequestError) in try decoder.consume(bytes) { received.append(contentsOf: $0) } }
                }.get()
                input.removeFirst(consumed)
                guard decoder.isComplete else {
                    phase = .body(head, decoder, received: received)
                    return
                }
                let body = received
                dispatch(ControlRequest(method: head.method, target: head.target, headers: head.headers, body: body), keepAlive: head.keepAlive)
            }
        }
    }

    /// The whole head must arrive within `client_header` of its first byte, however it trickles in.
    private func awaitRestOfHead(startedAt: Int64) {
        let remaining = server.limits.headerTimeout - .milliseconds(server.base.nowMilliseconds - startedAt)
        if remaining <= .zero {
            answerLast(.error(408, "request head not received within the time allowed"))
        } else {
            socket.watchReadable(exactTimeout: remaining)
        }
    }

    /// A Content-Length over `control.max_publish_bytes` is refused (413) before any of the body is read.
    private func startBody(of head: RequestHead) throws(HTTPRequestError) {
        if head.declaresBody(over: server.limits.http.maxBodyBytes) { throw .payloadTooLarge }
        var received: [UInt8] = []
        if case let .contentLength(length) = head.framing { received.reserveCapacity(Int(length)) }
        let decoder = DecodedBody(head.framing, maxBodyBytes: server.limits.http.maxBodyBytes)
        phase = .body(head, decoder, received: received)
        if !decoder.isComplete { expectBody(head) }
    }

    private func expectBody(_ head: RequestHead) {
        socket.watchReadable(timeout: server.limits.idleTimeout)
        // curl waits a second for `100 Continue` before sending a large body; say it at once, unless
        // earlier answers are still due (it cannot go before them; the client sends after its wait).
        guard head.version == .http11, head.headers["Expect"]?.lowercased() == "100-continue", answers.unanswered == 0 else { return }
        socket.write(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8))
    }

    private func dispatch(_ request: ControlRequest, keepAlive: Bool) {
        let ticket = answers.reserve()
        if !keepAlive {
            finish()
        } else if answers.unanswered >= Self.maxUnanswered {
            phase = .waitingForAnswers
            socket.stopWatchingReadable()
        } else {
            readNextRequest()
        }
        // A connection between requests keeps no buffer.
        if input.isEmpty { input = [] }
        server.handler(request) { [self] response in answered(ticket, response.serialized(closing: !keepAlive)) }
    }

    private func answered(_ ticket: Int, _ answer: [UInt8]) {
        guard !isClosed else { return }
        let due = answers.fill(ticket, with: answer)
        guard !due.isEmpty else { return }
        if unwritten.isEmpty { server.writeAtEndOfPass(self) }
        unwritten += due
    }

    func writeAnswers() {
        guard !isClosed else { return }
        let bytes = unwritten
        unwritten = []
        // A peer gone while we answered: nothing more can be read or written.
        guard socket.write(bytes) else { return close() }
        switch phase {
        case .finishing where answers.unanswered == 0:
            isClosed = true
            socket.closeAfterFlush()
        case .waitingForAnswers:
            readNextRequest()
            advance()
        default:
            break
        }
    }

    private func readNextRequest() {
        guard !input.isEmpty else {
            phase = .awaitingRequest
            socket.watchReadable(timeout: server.limits.idleTimeout)
            return
        }
        // Pipelined bytes are the next head's first ones.
        phase = .head(RequestHeadParser(limits: server.limits.http), startedAt: server.base.nowMilliseconds)
    }

    /// Reads no further request; closes once the answers still due are written (at once if none is).
    private func finish() {
        phase = .finishing
        socket.stopWatchingReadable()
        if answers.unanswered == 0 && unwritten.isEmpty { close() }
    }

    /// A malformed request gets its status and the connection ends (docs/architecture.md, "Bad input").
    private func refuse(_ error: HTTPRequestError) {
        let reason: String = switch error {
        case let .badRequest(detail), let .notImplemented(detail): detail
        default: reasonPhrase(for: error.status)
        }
        answerLast(.error(error.status, reason))
    }

    /// The connection's last answer, after the ones still due.
    private func answerLast(_ response: ControlResponse) {
        let ticket = answers.reserve()
        finish()
        answered(ticket, response.serialized(closing: true))
    }
}
