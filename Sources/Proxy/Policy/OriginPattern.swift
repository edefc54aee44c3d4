/// One `allow_origins` entry, ready to compare with a request's `Origin`.
enum OriginPattern: Equatable {
    /// `*`: every origin.
    case any
    /// `https://app.example.com`, compared whole: browsers send origins without default ports.
    case exact(String)
    /// `https://*.example.org:8443`: any subdomain of `example.org` (never the apex) on that scheme and port.
    /// `port` is `":8443"`, or empty for none.
    case subdomains(scheme: String, suffix: String, port: String)

    /// `entry` as the configuration validated and lowercased it.
    init(entry: String) {
        guard entry != "*" else { self = .any; return }
        let separator = entry.range(of: "://")!
        let scheme = String(entry[..<separator.upperBound])
        let authority = entry[separator.upperBound...]
        guard authority.hasPrefix("*.") else { self = .exact(entry); return }
        let (host, port) = Self.split(authority.dropFirst(1))
        self = .subdomains(scheme: scheme, suffix: String(host), port: String(port))
    }

    /// `origin` lowercased.
    func matches(_ origin: String) -> Bool {
        switch self {
        case .any:
            return true
        case let .exact(entry):
            return origin == entry
        case let .subdomains(scheme, suffix, port):
            guard origin.hasPrefix(scheme) else { return false }
            let (host, originPort) = Self.split(origin.dropFirst(scheme.count))
            return originPort == port && host.count > suffix.count && host.hasSuffix(suffix)
                && host.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") }
                && !host.hasPrefix(".") && !host.contains("..")
        }
    }

    /// `host` and `:port` (empty when none) of an authority without brackets.
    private static func split(_ authority: Substring) -> (host: Substring, port: Substring) {
        guard let colon = authority.lastIndex(of: ":") else { return (authority, "") }
        return (authority[..<colon], authority[colon...])
    }
}
