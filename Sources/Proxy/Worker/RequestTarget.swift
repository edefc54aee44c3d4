import HTTP1

/// The parts of a request target that routing and forwarding need.
enum RequestTarget {
    /// Host without port (lowercased) from the Host field, and the path without query, of a request
    /// in origin form (`RequestNormalizer` has already rewritten an absolute-form target).
    /// Bytes, not Characters, are searched: the parser admits only ASCII in targets and Host values.
    static func hostAndPath(_ head: RequestHead) -> (host: String?, path: String) {
        let target = head.target
        let path = target.utf8.firstIndex(of: UInt8(ascii: "?")).map { String(target[..<$0]) } ?? target
        return (head.headers["host"].map { stripPort($0).lowercased() }, path)
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
        let bytes = host.utf8
        if bytes.first == UInt8(ascii: "["), let close = bytes.firstIndex(of: UInt8(ascii: "]")) { return String(host[...close]) }
        if let colon = bytes.lastIndex(of: UInt8(ascii: ":")) { return String(host[..<colon]) }
        return host
    }
}
