/// The comparable form of a host, shared by route patterns and request `Host` values so both
/// sides are normalized by the same rules.
enum HostName {
    /// `Example.ORG:8080` → `example.org`, `[::1]:8080` → `::1`, `example.org.` → `example.org`.
    /// Nil when nothing is left or an IPv6 literal's bracket is not closed.
    static func normalized(_ value: String) -> String? {
        var host = value.trimmingOptionalWhitespace()
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return nil }
            host = host[host.index(after: host.startIndex)..<close]
        } else if let colon = host.firstIndex(of: ":"), host.lastIndex(of: ":") == colon {
            // One colon separates a port; several mean an unbracketed IPv6 literal, kept whole.
            host = host[..<colon]
        }
        if host.hasSuffix(".") {
            host = host.dropLast()
        }
        return host.isEmpty ? nil : host.lowercased()
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs (RFC 9110 OWS).
    func trimmingOptionalWhitespace() -> SubSequence {
        let isWhitespace = { (character: Character) in character == " " || character == "\t" }
        guard let first = firstIndex(where: { !isWhitespace($0) }), let last = lastIndex(where: { !isWhitespace($0) }) else {
            return self[endIndex...]
        }
        return self[first...last]
    }
}
