import EventLoop
import HTTP1

/// A `type = "request"` `[[auth]]` asked about one request (nginx `auth_request`): `GET path` on
/// its backend, through the pool, with the client's credentials and what it asked for. The
/// session waits for the verdict before anything else reaches a backend.
///
/// It holds its session strongly while the call runs; the cycle ends with the verdict, or when
/// the session moves on.
final class AuthSubrequest {
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
    private var call: BackendCall?

    init(session: ClientSession, pending: Pending, backend: Int, path: String) {
        self.session = session
        self.pending = pending
        let runtime = session.runtime
        let request = Self.request(path: path, for: pending.head, clientIP: session.clientIP,
                                   backendAddress: runtime.pools[backend].hostHeader)
        call = BackendCall(pool: runtime.pools[backend], request: request, responseTimeout: runtime.config.timeouts.upstreamResponse,
                           maxHeadBytes: runtime.limits.maxHeaderBytes, maxBodyBytes: runtime.limits.maxBodyBytes) { [self] result in
            answered(result)
        }
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
        call?.start()
    }

    /// The client went away while the verdict was pending.
    func abort() {
        call?.cancel()
        call = nil
    }

    private func answered(_ result: Result<BackendCall.Answer, BackendCallFailure>) {
        call = nil
        let verdict: Verdict
        switch result {
        case let .success(answer):
            verdict = Self.verdict(status: answer.head.status, headers: answer.head.headers)
        case let .failure(failure):
            if let timeout = failure.timeout { session.runtime.countTimeout(timeout) }
            verdict = .failed
        }
        session.authSubrequestFinished(self, verdict: verdict)
    }
}
