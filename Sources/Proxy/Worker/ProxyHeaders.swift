import HTTP1

/// Header rewriting at the proxy boundary (RFC 9110 §7.6): hop-by-hop fields never cross it.
/// Heads are written straight from the received fields (`HeadWriter`), leaving out what stops
/// here and adding Holdfast's own fields at the end: no copy of the fields is made per request.
enum ProxyHeaders {
    static let hopByHop = FieldNameSet([
        "connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade",
        "proxy-authenticate", "proxy-authorization",
    ])

    /// The fields a head loses at the boundary: hop-by-hop ones, those its `Connection` fields
    /// name, every `Grip-*` field, and its own `Content-Length` (framing is stated anew).
    struct Boundary {
        /// Names listed in `Connection` that are not hop-by-hop anyway (usually none).
        private var connectionNamed: [String] = []

        init(_ headers: HTTPHeaders) {
            headers.forEachListElement(of: "connection") { name in
                if !ProxyHeaders.hopByHop.contains(name) { connectionNamed.append(name) }
            }
        }

        func drops(_ name: String) -> Bool {
            name.hasPrefixIgnoringASCIICase("grip-") || name.equalsIgnoringASCIICase("content-length")
                || ProxyHeaders.hopByHop.contains(name) || connectionNamed.contains { name.equalsIgnoringASCIICase($0) }
        }
    }

    /// The client's fields that the forwarding fields replace.
    private static let forwardingFields = FieldNameSet(["x-forwarded-for", "x-forwarded-proto", "via"])

    /// An upgrade (a WebSocket handshake, the `101` accepting it) keeps what the boundary takes.
    private static func addUpgrade(_ protocolName: String?, to writer: inout HeadWriter) {
        guard let protocolName else { return }
        writer.add("Connection", "Upgrade")
        writer.add("Upgrade", protocolName)
    }

    /// The head sent to a backend: hop-by-hop and client `Grip-*` fields removed, forwarding fields added.
    /// It goes out as HTTP/1.1, which needs a Host: an HTTP/1.0 client may have sent none, then it is
    /// `backendAddress` ("host:port").
    static func upstreamRequest(_ head: RequestHead, clientIP: String, scheme: String, gripSignature: String,
                                bodyFraming: BodyFraming, backendAddress: String, upgrade: String? = nil) -> [UInt8] {
        let boundary = Boundary(head.headers)
        let host = head.headers["host"]
        let replacesHost = host?.isEmpty ?? true
        // A client's X-Forwarded-For that its Connection field names is not carried over.
        let forwardedFor = boundary.drops("x-forwarded-for") ? nil : head.headers["x-forwarded-for"]
        let via = head.headers["via"]
        var writer = HeadWriter(method: head.method, target: head.target,
                                fieldBytes: HeadWriter.size(of: head.headers) + gripSignature.utf8.count + backendAddress.utf8.count + 160)
        writer.add(head.headers) { name in
            boundary.drops(name) || forwardingFields.contains(name)
                || (replacesHost && name.equalsIgnoringASCIICase("host"))
                || (host != nil && name.equalsIgnoringASCIICase("x-forwarded-host"))
        }
        addUpgrade(upgrade, to: &writer)
        if replacesHost { writer.add("Host", backendAddress) }
        // Fields carrying a client's values are checked; those made of Holdfast's own parts are not.
        if let forwardedFor { writer.add("X-Forwarded-For", "\(forwardedFor), \(clientIP)") } else { writer.addComposed("X-Forwarded-For", clientIP) }
        writer.addComposed("X-Forwarded-Proto", scheme)
        if let host { writer.add("X-Forwarded-Host", host) }
        let ownVia = head.version == .http10 ? "1.0 holdfast" : "1.1 holdfast"
        if let via { writer.add("Via", "\(via), \(ownVia)") } else { writer.addComposed("Via", ownVia) }
        writer.addComposed("Grip-Sig", gripSignature)
        addFraming(bodyFraming, to: &writer)
        return writer.finished()
    }

    /// The head relayed to a client from a backend response: hop-by-hop and `Grip-*` fields removed,
    /// and `Access-Control-*` replaced by `cors` where Holdfast answers CORS. `upgrade`: the protocol a `101` switches to.
    static func clientResponse(status: Int, reason: String, headers: HTTPHeaders, framing: BodyFraming,
                               keepAlive: Bool, cors: CORSHeaders?, upgrade: String? = nil) -> [UInt8] {
        let boundary = Boundary(headers)
        var writer = HeadWriter(status: status, reason: reason,
                                fieldBytes: HeadWriter.size(of: headers) + (cors?.wireSize ?? 0) + 64)
        writer.add(headers) { name in boundary.drops(name) || (cors != nil && CORSHeaders.replaces(name)) }
        addUpgrade(upgrade, to: &writer)
        cors?.apply(to: &writer)
        writer.addComposed("Via", "1.1 holdfast")
        addFraming(framing, to: &writer)
        if !keepAlive { writer.add("Connection", "close") }
        return writer.finished()
    }

    private static func addFraming(_ framing: BodyFraming, to writer: inout HeadWriter) {
        switch framing {
        case let .contentLength(length): writer.addComposed("Content-Length", String(length))
        case .chunked: writer.addComposed("Transfer-Encoding", "chunked")
        case .none, .untilClose: break
        }
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
