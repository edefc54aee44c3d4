import HTTP1

/// What a received request becomes before routing, sticky keys and the backend see it (docs/architecture.md, "Bad input").
enum RequestNormalizer {
    /// An absolute-form target's authority replaces Host and the target goes on in origin form
    /// (RFC 9112 §3.2.2), so the route chosen and the Host the backend gets agree. Header names
    /// with `_` are dropped unless allowed: backends that turn names into variables (CGI, PHP,
    /// Rack) read `X_Forwarded_For` as the `X-Forwarded-For` this proxy vouches for.
    static func normalized(_ head: RequestHead, allowsUnderscoresInHeaders: Bool) -> RequestHead {
        var head = head
        if !allowsUnderscoresInHeaders, head.headers.contains(where: { hasUnderscore($0.name) }) {
            head.headers.removeAll(where: hasUnderscore)
        }
        let (authority, target) = RequestTarget.originForm(of: head.target)
        if let authority {
            head.headers.replace("Host", String(authority))
            head.target = target
        }
        return head
    }

    private static func hasUnderscore(_ name: String) -> Bool { name.utf8.contains(UInt8(ascii: "_")) }
}
