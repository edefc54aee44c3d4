import EventLoop
import HTTP1

/// One keep-alive HTTP/1.1 connection to the control listener. Reads a request (head, then a body by
/// Content-Length or chunked), hands it to the server's handler, and reads the next one only after the
/// answer is written, so answers stay in request order. Timeouts are the client side's: the first
/// request has `client_header` from connecting, every head `client_header` from its first byte (408
/// when it passes, against slowloris), and the wait between requests and between a body's pieces is
/// `client_idle`.
final class ControlConnection: SocketDelegate {
    typealias Handler = (ControlRequest, @escaping (ControlResponse) -> Void) -> Void

    private enum Phase {
        /// Nothing of the next request has arrived.
        case awaitingRequest
        /// `startedAt`: when the head's first byte arrived (the loop's milliseconds).
        case head(RequestHeadParser, startedAt: Int64)
        case body(RequestHead, DecodedBody, received: [UInt8])
        case answering
    }

    private let socket: Socket
    private let server: ControlServer
    private var input: [UInt8] = []
    private var phase = Phase.awaitingRequest
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

    func socketDidReadEOF(_ socket: Socket) { close() }
    func socket(_ socket: Socket, didFail error: SocketError) { close() }

    func socketDidTimeOut(_ socket: Socket) {
        switch phase {
        case .awaitingRequest: close()
        case .head, .body: answerAndClose(.error(408, "request not received within the time allowed"))
        case .answering: break
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

    /// Advances through whatever input is buffered, until it runs out or a request is being answered.
    private func process() throws(HTTPRequestError) {
        while true {
            switch phase {
            case .awaitingRequest:
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
                // The answer reads on (at once, or when it comes).
                return
            case .answering:
                return
            }
        }
    }

    /// The whole head must arrive within `client_header` of its first byte, however it trickles in.
    private func awaitRestOfHead(startedAt: Int64) {
        let remaining = server.limits.headerTimeout - .milliseconds(server.base.nowMilliseconds - startedAt)
        if remaining <= .zero {
            answerAndClose(.error(408, "request head not received within the time allowed"))
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
        // curl waits a second for `100 Continue` before sending a large body; say it at once.
        guard head.version == .http11, head.headers["Expect"]?.lowercased() == "100-continue" else { return }
        socket.write(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8))
    }

    private func dispatch(_ request: ControlRequest, keepAlive: Bool) {
        phase = .answering
        socket.stopWatchingReadable()
        // A connection between requests keeps no buffer.
        if input.isEmpty { input = [] }
        server.handler(request) { [self] response in
            guard !isClosed else { return }
            // A peer gone while we answered: nothing more can be read or written.
            guard socket.write(response.serialized(closing: !keepAlive)) else { return close() }
            guard keepAlive else {
                isClosed = true
                socket.closeAfterFlush()
                return
            }
            readNextRequest()
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
        advance()
    }

    /// A malformed request gets its status and the connection ends (docs/architecture.md, "Bad input").
    private func refuse(_ error: HTTPRequestError) {
        let reason: String = switch error {
        case let .badRequest(detail), let .notImplemented(detail): detail
        default: reasonPhrase(for: error.status)
        }
        answerAndClose(.error(error.status, reason))
    }

    private func answerAndClose(_ response: ControlResponse) {
        isClosed = true
        socket.write(response.serialized(closing: true))
        socket.closeAfterFlush()
    }
}
