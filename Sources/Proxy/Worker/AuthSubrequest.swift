import EventLoop
import HTTP1

/// A `type = "request"` `[[auth]]` asked about one request (nginx `auth_request`): `GET path` on
/// its backend, through the pool, with the client's credentials and what it asked for. The
/// session waits for the verdict before anything else reaches a backend.
///
/// Like an `Exchange`, it holds its session strongly while it runs; the cycle ends when the
/// session moves on.
final class AuthSubrequest: UpstreamUser {
    enum Verdict: Equatable {
        case admit
        /// The auth backend's own `401` or `403`, relayed with its `WWW-Authenticate`.
        case refuse(status: Int, challenge: String?)
        /// Any other answer, or none in time: `502`.
        case failed
    }

    /// What the session needs to go on with the request once it is admitted.
    struct Pending {
        let head: RequestHead
        let route: Int
        let channel: String?
        let cors: CORSHeaders?
    }

    let session: ClientSession
    let pending: Pending
    private var runtime: WorkerRuntime { session.runtime }
    private let backend: Int
    private let request: [UInt8]
    private var upstream: UpstreamConnection?
    private var isWaitingForUpstream = false
    private var headCollector: ResponseHeadCollector
    /// A reused pooled connection may have been closed by the backend meanwhile: asked again once.
    private var hasRetried = false

    init(session: ClientSession, pending: Pending, backend: Int, path: String) {
        self.session = session
        self.pending = pending
        self.backend = backend
        request = Self.request(path: path, for: pending.head, clientIP: session.clientIP,
                               backendAddress: session.runtime.pools[backend].hostHeader)
        headCollector = ResponseHeadCollector(maxHeadBytes: session.runtime.limits.maxHeaderBytes, requestMethod: "GET")
    }

    /// The sub-request carries the credentials and what the client asked for; never its body.
    static func request(path: String, for head: RequestHead, clientIP: String, backendAddress: String) -> [UInt8] {
        var headers = HTTPHeaders()
        headers.add("Host", head.headers["host"].flatMap { $0.isEmpty ? nil : $0 } ?? backendAddress)
        for name in ["authorization", "cookie"] {
            for value in head.headers.values(name) { headers.add(name == "cookie" ? "Cookie" : "Authorization", value) }
        }
        headers.add("X-Original-Method", head.method)
        headers.add("X-Original-URI", head.target)
        headers.add("X-Forwarded-For", clientIP)
        return HeadSerializer.request(method: "GET", target: path, headers: headers)
    }

    static func verdict(status: Int, headers: HTTPHeaders) -> Verdict {
        switch status {
        case 200..<300: .admit
        case 401, 403: .refuse(status: status, challenge: headers["www-authenticate"])
        default: .failed
        }
    }

    func start() {
        isWaitingForUpstream = true
        runtime.pools[backend].acquire(for: self)
    }

    /// The client went away while the verdict was pending.
    func abort() {
        release(reusable: false)
    }

    // MARK: Upstream connection

    func upstreamReady(_ connection: UpstreamConnection) {
        isWaitingForUpstream = false
        upstream = connection
        connection.socket.write(request)
        connection.socket.watchReadable(timeout: runtime.config.timeouts.upstreamResponse)
    }

    func upstreamUnavailable(_ failure: UpstreamFailure) {
        isWaitingForUpstream = false
        switch failure {
        case .queueTimeout: runtime.countTimeout(.queue)
        case .connectTimeout: runtime.countTimeout(.upstreamConnect)
        case .connectFailed: break
        }
        finish(.failed, reusable: false)
    }

    func upstreamDidTimeOut(_ connection: UpstreamConnection) {
        runtime.countTimeout(.upstreamResponse)
        finish(.failed, reusable: false)
    }

    func upstreamDidClose(_ connection: UpstreamConnection, error: SocketError?) {
        upstream = nil
        if connection.hasServedRequest && !headCollector.hasBytes && !hasRetried {
            hasRetried = true
            start()
        } else {
            finish(.failed, reusable: false)
        }
    }

    func upstreamDidDrain(_ connection: UpstreamConnection) {}

    func upstream(_ connection: UpstreamConnection, didRead bytes: UnsafeRawBufferPointer) {
        let taken: (head: ResponseHead, rest: [UInt8])?
        do {
            taken = try headCollector.take(bytes)
        } catch {
            runtime.logger.warning("malformed answer from auth backend", metadata: ["backend": "\(runtime.pools[backend].name)", "error": "\(error)"])
            finish(.failed, reusable: false)
            return
        }
        guard let (head, rest) = taken else { return }
        if (100..<200).contains(head.status) {
            if !rest.isEmpty { rest.withUnsafeBytes { upstream(connection, didRead: $0) } }
            return
        }
        // The verdict is in the head. The connection goes back only if its body is already whole
        // here (auth answers are small); otherwise it is closed rather than drained for nobody.
        var body = DecodedBody(head.framing)
        let consumed = (try? rest.withUnsafeBytes { buffer in try body.consume(buffer) { _ in } }) ?? -1
        let reusable = head.keepAlive && body.isComplete && !body.endsWithClose && consumed == rest.count
        finish(Self.verdict(status: head.status, headers: head.headers), reusable: reusable)
    }

    // MARK: Ending

    private func finish(_ verdict: Verdict, reusable: Bool) {
        release(reusable: reusable)
        session.authSubrequestFinished(self, verdict: verdict)
    }

    private func release(reusable: Bool) {
        runtime.pools[backend].endClaim(of: self, waiting: &isWaitingForUpstream, connection: &upstream, reusable: reusable)
    }
}
