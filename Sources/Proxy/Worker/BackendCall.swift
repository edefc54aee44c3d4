import EventLoop
import HTTP1

/// Why a `BackendCall` got no answer. `reached`: the backend may have seen the request;
/// `timeout`: the wait that ran out, if one did.
struct BackendCallFailure: Error {
    let reached: Bool
    let reason: String
    var timeout: TimeoutKind? = nil
}

/// One request Holdfast itself makes of a backend (a WebSocket-over-HTTP `POST`, an auth
/// sub-request's `GET`), on a pooled
/// connection: sent whole, its whole answer collected (at most `maxBodyBytes`), then handed to
/// `completion` once. A reused connection that the backend had closed meanwhile is retried once
/// on a fresh one, as relayed requests are.
final class BackendCall: UpstreamUser {
    struct Answer {
        let head: ResponseHead
        let body: [UInt8]
    }

    private let pool: UpstreamPool
    private let request: [UInt8]
    private let responseTimeout: Duration
    private let maxBodyBytes: Int
    private var completion: ((Result<Answer, BackendCallFailure>) -> Void)?
    private var connection: UpstreamConnection?
    private var headCollector: ResponseHeadCollector
    private var head: ResponseHead?
    private var body = DecodedBody(.none)
    private var collected: [UInt8] = []
    private var retriedStale = false
    /// A pool keeps lent connections' users weakly: the call keeps itself until it completes.
    private var running: BackendCall?

    init(pool: UpstreamPool, request: [UInt8], responseTimeout: Duration, maxHeadBytes: Int, maxBodyBytes: Int,
         completion: @escaping (Result<Answer, BackendCallFailure>) -> Void) {
        self.pool = pool
        self.request = request
        self.responseTimeout = responseTimeout
        self.maxBodyBytes = maxBodyBytes
        self.completion = completion
        headCollector = ResponseHeadCollector(maxHeadBytes: maxHeadBytes, requestMethod: "POST")
    }

    func start() {
        running = self
        pool.acquire(for: self)
    }

    /// No answer is wanted any more: the connection (if any) is closed, the completion never called.
    func cancel() {
        completion = nil
        pool.cancel(self)
        if let connection { pool.release(connection, reusable: false) }
        connection = nil
        running = nil
    }

    private func finish(_ result: Result<Answer, BackendCallFailure>, reusable: Bool) {
        if let connection { pool.release(connection, reusable: reusable) }
        connection = nil
        let completion = self.completion
        self.completion = nil
        running = nil
        completion?(result)
    }

    private func fail(reached: Bool, _ reason: String, timeout: TimeoutKind? = nil) {
        finish(.failure(BackendCallFailure(reached: reached, reason: reason, timeout: timeout)), reusable: false)
    }

    // MARK: UpstreamUser

    func upstreamReady(_ connection: UpstreamConnection) {
        self.connection = connection
        headCollector.reset()
        connection.socket.write(request)
        connection.socket.watchReadable(timeout: responseTimeout)
    }

    func upstreamUnavailable(_ failure: UpstreamFailure) {
        let timeout: TimeoutKind? = switch failure {
        case .queueTimeout: .queue
        case .connectTimeout: .upstreamConnect
        case .connectFailed: nil
        }
        fail(reached: false, "\(failure)", timeout: timeout)
    }

    func upstream(_ connection: UpstreamConnection, didRead bytes: UnsafeRawBufferPointer) {
        guard head != nil else { return readHead(bytes) }
        readBody(bytes)
    }

    func upstreamDidClose(_ connection: UpstreamConnection, error: SocketError?) {
        self.connection = nil
        if head == nil, !headCollector.hasBytes, connection.hasServedRequest, !retriedStale {
            // The backend closed an idle keep-alive connection just as it was lent: try a fresh one.
            retriedStale = true
            pool.acquire(for: self)
        } else if head != nil, body.endOfInput() {
            complete(reusable: false)
        } else {
            fail(reached: true, "the backend closed the connection before answering")
        }
    }

    func upstreamDidTimeOut(_ connection: UpstreamConnection) {
        fail(reached: true, "no answer within timeouts.upstream_response", timeout: .upstreamResponse)
    }

    func upstreamDidDrain(_ connection: UpstreamConnection) {}

    // MARK: The answer

    private func readHead(_ bytes: UnsafeRawBufferPointer) {
        let taken: (head: ResponseHead, rest: [UInt8])?
        do {
            taken = try headCollector.take(bytes)
        } catch {
            return fail(reached: true, "malformed response: \(error)")
        }
        guard let (parsed, rest) = taken else { return }
        if (100..<200).contains(parsed.status) {
            // Interim answers say nothing here: the final one follows.
            if !rest.isEmpty { rest.withUnsafeBytes { readHead($0) } }
            return
        }
        head = parsed
        body = DecodedBody(parsed.framing, maxBodyBytes: maxBodyBytes)
        if body.isComplete { return complete(reusable: parsed.keepAlive && rest.isEmpty) }
        rest.withUnsafeBytes { readBody($0) }
    }

    private func readBody(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        let consumed: Int
        do {
            consumed = try body.consume(bytes) { collected.append(contentsOf: $0) }
        } catch {
            return fail(reached: true, "malformed response body")
        }
        guard collected.count <= maxBodyBytes else { return fail(reached: true, "response body over \(maxBodyBytes) bytes") }
        if body.isComplete { complete(reusable: head?.keepAlive == true && consumed == bytes.count) }
    }

    private func complete(reusable: Bool) {
        guard let head else { return }
        finish(.success(Answer(head: head, body: collected)), reusable: reusable)
    }
}
