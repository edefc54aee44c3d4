extension HostPattern {
    /// `example.org` (exact) or `*.example.org` (subdomains only); lowercased, no port.
    init?(parsing text: String) {
        let lowered = text.lowercased()
        if lowered.hasPrefix("*.") {
            let suffix = lowered.dropFirst(2)
            guard HostSyntax.isHostName(suffix) else { return nil }
            self = .subdomains(of: String(suffix))
        } else {
            guard HostSyntax.isHostNameOrIPv4(Substring(lowered)) else { return nil }
            self = .exact(lowered)
        }
    }
}

extension StickyKey {
    /// `cookie:NAME`, `header:NAME` (stored lowercased: header names ignore case), `query:NAME`, `ip`, `none`.
    init?(parsing text: String) {
        switch text {
        case "ip": self = .clientIP; return
        case "none": self = .none; return
        default: break
        }
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let name = text[text.index(after: colon)...]
        switch text[..<colon] {
        case "cookie" where isToken(name): self = .cookie(String(name))
        case "header" where isToken(name): self = .header(name.lowercased())
        case "query" where isQueryName(name): self = .query(String(name))
        default: return nil
        }
    }
}

extension TokenSource {
    /// `header:NAME`, `query:NAME`, `cookie:NAME`: the places a sticky key may come from, less `ip`.
    init?(parsing text: String) {
        switch StickyKey(parsing: text) {
        case .header(let name): self = .header(name)
        case .query(let name): self = .query(name)
        case .cookie(let name): self = .cookie(name)
        case .clientIP, .some(.none), nil: return nil
        }
    }
}

/// An RFC 9110 token: what cookie and header names are made of.
func isToken(_ text: Substring) -> Bool {
    !text.isEmpty && text.allSatisfy { $0.isASCIILetterOrDigit || "!#$%&'*+-.^_`|~".contains($0) }
}

/// Query parameter names that need no percent-encoding.
private func isQueryName(_ text: Substring) -> Bool {
    !text.isEmpty && text.allSatisfy { $0.isASCIILetterOrDigit || "-._~".contains($0) }
}

/// A request path prefix or health check path: starts with `/`, visible ASCII only, no fragment.
func isURLPath(_ text: String, allowingQuery: Bool) -> Bool {
    text.hasPrefix("/") && text.allSatisfy { character in
        guard let byte = character.asciiValue, byte > 0x20, byte < 0x7F, character != "#" else { return false }
        return allowingQuery || character != "?"
    }
}

/// A backend name: letters, digits, `_`, `.`, `-`.
func isBackendName(_ text: String) -> Bool {
    !text.isEmpty && text.allSatisfy { $0.isASCIILetterOrDigit || "_.-".contains($0) }
}

/// A CORS origin entry: as browsers send it (`https://app.example.com`, `http://localhost:3000`),
/// with `*.` before the host for its subdomains (`https://*.example.org`); or `*`. No path.
func isOriginPattern(_ text: String) -> Bool {
    if text == "*" { return true }
    let parts = text.split(separator: "://", maxSplits: 1, omittingEmptySubsequences: false)
    guard parts.count == 2, parts[0] == "http" || parts[0] == "https" else { return false }
    var authority = parts[1]
    if authority.hasPrefix("*.") {
        authority = authority.dropFirst(2)
        // A wildcard stands for DNS labels, never inside an address.
        guard let host = authority.split(separator: ":", omittingEmptySubsequences: false).first,
              HostSyntax.isHostName(host) else { return false }
    }
    if authority.hasPrefix("[") || authority.contains(":") {
        return EndpointAddress(parsing: String(authority)) != nil
    }
    return HostSyntax.isHostNameOrIPv4(authority)
}
