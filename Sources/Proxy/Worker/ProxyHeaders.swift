import HTTP1

/// Header rewriting at the proxy boundary (RFC 9110 §7.6): hop-by-hop fields never cross it.
enum ProxyHeaders {
    static let hopByHop = [
        "connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade",
        "proxy-authenticate", "proxy-authorization",
    ]

    /// Removes, in one pass, hop-by-hop fields (including those the `Connection` field names),
    /// every `Grip-*` field when `grip` is set, and the fields in `also`.
    static func removeHopByHop(_ headers: inout HTTPHeaders, grip: Bool = false, also: [String] = []) {
        var named = hopByHop + also
        for value in headers.values("connection") {
            for token in value.split(separator: ",") { named.append(String(token.trimmingOptionalWhitespace())) }
        }
        headers.removeAll { name in
            (grip && name.hasPrefixIgnoringASCIICase("grip-")) || named.contains { name.equalsIgnoringASCIICase($0) }
        }
    }

    /// An upgrade (a WebSocket handshake, the `101` accepting it) keeps what hop-by-hop removal takes.
    private static func addUpgrade(_ protocolName: String?, to headers: inout HTTPHeaders) {
        guard let protocolName else { return }
        headers.add("Connection", "Upgrade")
        headers.add("Upgrade", protocolName)
    }

    /// The head sent to a backend: hop-by-hop and client `Grip-*` fields removed, forwarding fields added.
    /// It goes out as HTTP/1.1, which needs a Host: an HTTP/1.0 client may have sent none, then it is
    /// `backendAddress` ("host:port"). `upgrade`: the protocol of a validated upgrade request.
    static func upstreamRequest(_ head: RequestHead, clientIP: String, scheme: String, gripSignature: String,
                                bodyFraming: BodyFraming, backendAddress: String, upgrade: String? = nil) -> [UInt8] {
        var headers = head.headers
        removeHopByHop(&headers, grip: true, also: ["content-length"])
        addUpgrade(upgrade, to: &headers)
        if head.headers["host"]?.isEmpty ?? true { headers.replace("Host", backendAddress) }
        let forwardedFor = headers["x-forwarded-for"].map { "\($0), \(clientIP)" } ?? clientIP
        headers.replace("X-Forwarded-For", forwardedFor)
        headers.replace("X-Forwarded-Proto", scheme)
        if let host = head.headers["host"] { headers.replace("X-Forwarded-Host", host) }
        let version = head.version == .http10 ? "1.0" : "1.1"
        headers.replace("Via", (head.headers["via"].map { "\($0), " } ?? "") + "\(version) holdfast")
        headers.replace("Grip-Sig", gripSignature)
        switch bodyFraming {
        case let .contentLength(length): headers.add("Content-Length", String(length))
        case .chunked: headers.add("Transfer-Encoding", "chunked")
        case .none, .untilClose: break
        }
        return HeadSerializer.request(method: head.method, target: head.target, headers: headers)
    }

    /// The head relayed to a client from a backend response: hop-by-hop and `Grip-*` fields removed,
    /// and `Access-Control-*` replaced by `cors` where Holdfast answers CORS. `upgrade`: the protocol a `101` switches to.
    static func clientResponse(status: Int, reason: String, headers original: HTTPHeaders, framing: BodyFraming,
                               keepAlive: Bool, cors: CORSHeaders?, upgrade: String? = nil) -> [UInt8] {
        var headers = original
        removeHopByHop(&headers, grip: true, also: ["content-length"])
        addUpgrade(upgrade, to: &headers)
        cors?.apply(to: &headers)
        headers.add("Via", "1.1 holdfast")
        switch framing {
        case let .contentLength(length): headers.add("Content-Length", String(length))
        case .chunked: headers.add("Transfer-Encoding", "chunked")
        case .none, .untilClose: break
        }
        if !keepAlive { headers.add("Connection", "close") }
        return HeadSerializer.response(status: status, reason: reason, headers: headers)
    }

    /// A whole answer whose body is at hand (a published `http-response`, a held request's timeout
    /// answer), with the same fields removed as a relayed one. A 204 or 304 goes out with neither
    /// body nor Content-Length, whatever the publisher or backend gave.
    /// `headOnly`: the answer to a HEAD request, which has the body's length but not the body.
    static func completeResponse(status: Int, reason: String, headers: HTTPHeaders, body: [UInt8],
                                 keepAlive: Bool, headOnly: Bool = false, cors: CORSHeaders?) -> [UInt8] {
        let bodiless = BodilessStatus.contains(status)
        let head = clientResponse(status: status, reason: reason, headers: headers,
                                  framing: bodiless ? .none : .contentLength(UInt64(body.count)), keepAlive: keepAlive,
                                  cors: cors)
        return bodiless || headOnly ? head : head + body
    }
}
