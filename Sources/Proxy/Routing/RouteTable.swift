import Config

/// The routes of the configuration, matched by host and path prefix in file order; the first
/// match wins (docs/configuration.md, `[[route]]`).
public struct RouteTable: Sendable {
    private struct Rule: Sendable {
        /// Nil: any host, including a request without one.
        let host: HostRule?
        let pathPrefix: String
    }

    private let rules: [Rule]

    public init(routes: [RouteConfig]) {
        rules = routes.map { Rule(host: $0.host.map(HostRule.init), pathPrefix: $0.pathPrefix) }
    }

    /// The index of the first route matching `host` (the `Host` header or the authority of an
    /// absolute-form target, port allowed; nil when the request has none) and `path` (the target's
    /// path, without query). Nil when no route matches: the request gets 404.
    public func match(host: String?, path: String) -> Int? {
        // Normalized once a rule names a host: a table of path prefixes alone never needs it.
        var requestHost: String??
        return rules.firstIndex { rule in
            guard path.utf8.starts(with: rule.pathPrefix.utf8) else { return false }
            guard rule.host != nil else { return true }
            if requestHost == nil { requestHost = host.flatMap(HostName.normalized) }
            return Self.matches(rule.host, requestHost!)
        }
    }

    private static func matches(_ rule: HostRule?, _ host: String?) -> Bool {
        guard let rule else { return true }
        return host.map(rule.matches) ?? false
    }
}
