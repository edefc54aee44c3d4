import EventLoop
import GRIP
import HTTP1

/// A stream that goes on with another request to its backend (`Grip-Link: <url>; rel=next`):
/// when the current response body ends, or when a held stream's link timeout passes.
final class StreamContinuation {
    let link: GripLink
    let host: String
    let keepAlive: Bool
    let chunked: Bool
    let route: Int
    let backend: Int
    /// Carried from the request that started the stream, so its later parts keep its verified
    /// subject and its holds end with its token.
    let authSubject: String?
    let tokenExpiry: Int64?
    /// For a held stream whose link has a timeout: fires the follow-up request.
    var timer: Timer?

    init(link: GripLink, host: String, keepAlive: Bool, chunked: Bool, route: Int, backend: Int,
         authSubject: String?, tokenExpiry: Int64?) {
        self.link = link
        self.host = host
        self.keepAlive = keepAlive
        self.chunked = chunked
        self.route = route
        self.backend = backend
        self.authSubject = authSubject
        self.tokenExpiry = tokenExpiry
    }

    /// The request that fetches the link: GET of its path (an absolute URL keeps only its path).
    var request: RequestHead {
        var headers = HTTPHeaders([("Host", host)])
        if let authSubject { headers.add(ClientSession.authSubjectHeader, authSubject) }
        return RequestHead(method: "GET", target: RequestTarget.originForm(of: link.url).target, version: chunked ? .http11 : .http10,
                           headers: headers, framing: .none, keepAlive: keepAlive)
    }
}
