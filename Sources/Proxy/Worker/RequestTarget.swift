import HTTP1

/// The parts of a request target that routing and forwarding need.
enum RequestTarget {
    /// Host without port (lowercased) from the Host field, and the path without query, of a request
    /// in origin form (`RequestNormalizer` has already rewritten an absolute-form target).
    static func hostAndPath(_ head: RequestHead) -> (host: String?, path: String) {
        let path = head.target.prefix { $0 != "?" }
        return (head.headers["host"].map { stripPort($0).lowercased() }, String(path))
    }

    /// An absolute-form target (`http://host:port/path?query`) as its authority and its origin form,
    /// `/` standing for an empty path (RFC 9112 §3.2.1); any other target comes back as it is.
    static func originForm(of target: String) -> (authority: Substring?, target: String) {
        // Origin form (nearly every request) needs no search for a scheme.
        guard !target.hasPrefix("/"), let schemeEnd = target.range(of: "://") else { return (nil, target) }
        let afterScheme = target[schemeEnd.upperBound...]
        let authorityEnd = afterScheme.firstIndex { $0 == "/" || $0 == "?" } ?? afterScheme.endIndex
        let rest = afterScheme[authorityEnd...]
        return (afterScheme[..<authorityEnd], rest.hasPrefix("/") ? String(rest) : "/" + rest)
    }

    private static func stripPort(_ host: String) -> String {
        if host.hasPrefix("["), let close = host.firstIndex(of: "]") { return String(host[...close]) }
        if let colon = host.lastIndex(of: ":") { return String(host[..<colon]) }
        return host
    }
}
