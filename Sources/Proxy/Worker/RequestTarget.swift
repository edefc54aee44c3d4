import HTTP1

/// The parts of a request target that routing needs.
enum RequestTarget {
    /// Host without port (lowercased) and the path without query, for origin- and absolute-form targets.
    static func hostAndPath(_ head: RequestHead) -> (host: String?, path: String) {
        var target = Substring(head.target)
        var host: Substring? = head.headers["host"].map { Substring($0) }
        // Origin form (nearly every request) needs no search for a scheme.
        if !target.hasPrefix("/"), let schemeEnd = target.range(of: "://") {
            let afterScheme = target[schemeEnd.upperBound...]
            let authorityEnd = afterScheme.firstIndex(of: "/") ?? afterScheme.endIndex
            host = afterScheme[..<authorityEnd]
            target = afterScheme[authorityEnd...]
            if target.isEmpty { target = "/" }
        }
        let path = target.prefix { $0 != "?" }
        return (host.map { stripPort(String($0)).lowercased() }, String(path))
    }

    private static func stripPort(_ host: String) -> String {
        if host.hasPrefix("["), let close = host.firstIndex(of: "]") { return String(host[...close]) }
        if let colon = host.lastIndex(of: ":") { return String(host[..<colon]) }
        return host
    }
}
