import EventLoop
import HTTP1

/// One keep-alive HTTP/1.1 connection to the control listener. Reads a request (head, then a body by
/// Content-Length or chunked), hands it to the server's handler, and reads the next one only after the
/// answer is written, so answers stay in request order.
final class ControlConnection: SocketDelegate {
    typealias Handler = (ControlRequest, @escaping (ControlResponse) -> Void) -> Void

    static let maxBodyBytes = 16 * 1024 * 1024
    static let limits = HTTPLimits(maxHeaderBytes: 16384, maxURIBytes: 8192, maxHeaders: 100, maxBodyBytes: maxBodyBytes)
    /// Time allowed between requests, and for a request to arrive whole.
    static let idleTimeout = Duration.seconds(60)

    private enum Phase {
        case head(RequestHeadParser)
        case body(RequestHead, BodyProgress)
        case answering
    }

    private enum BodyProgress {
        case length(remaining: Int, received: [UInt8])
        case chunked(ChunkedDecoder, received: [UInt8])
    }

    private let socket: Socket
    private let handler: Handler
    private var input: [UInt8] = []
    private var phase = Phase.head(RequestHeadParser(limits: limits))
    /// Set when the connection ends, so an answer that arrives later is dropped.
    private var isClosed = false

    init(socket: Socket, handler: @escaping Handler) {
        self.socket = socket
        self.handler = handler
        socket.delegate = self
        socket.watchReadable(timeout: Self.idleTimeout)
    }

    func socket(_ socket: Socket, didRead bytes: UnsafeRawBufferPointer) {
        input.append(contentsOf: bytes)
        do throws(HTTPRequestError) {
            try process()
        } catch {
            refuse(error)
        }
    }

    func socketDidReadEOF(_ socket: Socket) { close() }
    func socketDidTimeOut(_ socket: Socket) { close() }
    func socket(_ socket: Socket, didFail error: SocketError) { close() }

    private func close() {
        isClosed = true
        socket.close()
    }

    /// Advances through whatever input is buffered, until it runs out or a request is being answered.
    private func process() throws(HTTPRequestError) {
        while true {
            switch phase {
            case var .head(parser):
                guard !input.isEmpty else { return }
                let result = try input.withUnsafeBytes { bytes in
                    Result { () throws(HTTPRequestError) in try parser.parse(bytes) }
                }.get()
                guard case let .complete(head, headLength) = result else {
                    phase = .head(parser)
                    return
                }
                input.removeFirst(headLength)
                try startBody(of: head)
            case let .body(head, progress):
                guard let body = try readBody(head, progress) else { return }
                dispatch(ControlRequest(method: head.method, target: head.target, headers: head.headers, body: body), keepAlive: head.keepAlive)
            case .answering:
                return
            }
        }
    }

    private func startBody(of head: RequestHead) throws(HTTPRequestError) {
        switch head.framing {
        case .none, .untilClose:
            phase = .body(head, .length(remaining: 0, received: []))
        case let .contentLength(length):
            guard length <= UInt64(Self.maxBodyBytes) else { throw .payloadTooLarge }
            phase = .body(head, .length(remaining: Int(length), received: []))
            if length > 0 { sendContinueIfExpected(head) }
        case .chunked:
            phase = .body(head, .chunked(ChunkedDecoder(maxBodyBytes: Self.maxBodyBytes), received: []))
            sendContinueIfExpected(head)
        }
    }

    /// curl waits a second for `100 Continue` before sending a large body; say it at once.
    private func sendContinueIfExpected(_ head: RequestHead) {
        guard head.version == .http11, head.headers["Expect"]?.lowercased() == "100-continue" else { return }
        socket.write(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8))
    }

    /// The whole body once it has arrived; nil while more is needed (progress is kept in `phase`).
    private func readBody(_ head: RequestHead, _ progress: BodyProgress) throws(HTTPRequestError) -> [UInt8]? {
        switch progress {
        case .length(let remaining, var received):
            let take = min(remaining, input.count)
            received.append(contentsOf: input[..<take])
            input.removeFirst(take)
            guard remaining == take else {
                phase = .body(head, .length(remaining: remaining - take, received: received))
                return nil
            }
            return received
        case .chunked(var decoder, var received):
            let (consumed, step) = try input.withUnsafeBytes { bytes in
                Result { () throws(HTTPRequestError) in try decoder.decode(bytes) { received.append(contentsOf: $0) } }
            }.get()
            input.removeFirst(consumed)
            guard step == .finished else {
                phase = .body(head, .chunked(decoder, received: received))
                return nil
            }
            return received
        }
    }

    private func dispatch(_ request: ControlRequest, keepAlive: Bool) {
        phase = .answering
        socket.stopWatchingReadable()
        handler(request) { [self] response in
            guard !isClosed else { return }
            socket.write(response.serialized(closing: !keepAlive))
            guard keepAlive else {
                isClosed = true
                socket.closeAfterFlush()
                return
            }
            phase = .head(RequestHeadParser(limits: Self.limits))
            socket.watchReadable(timeout: Self.idleTimeout)
            do throws(HTTPRequestError) {
                try process()
            } catch {
                refuse(error)
            }
        }
    }

    /// A malformed request gets its status and the connection ends (SPEC §8).
    private func refuse(_ error: HTTPRequestError) {
        let reason: String = switch error {
        case let .badRequest(detail), let .notImplemented(detail): detail
        default: reasonPhrase(for: error.status)
        }
        isClosed = true
        socket.write(ControlResponse.error(error.status, reason).serialized(closing: true))
        socket.closeAfterFlush()
    }
}
