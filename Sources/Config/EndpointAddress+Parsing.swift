extension EndpointAddress {
    /// Parses `host:port` as written in the file: `0.0.0.0:8080`, `[::1]:8080`, `localhost:9000`.
    /// The port must be 1...65535; IPv6 literals need brackets. The stored host has no brackets.
    init?(parsing text: String) {
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":"), HostSyntax.isIPv6Literal(host) else { return nil }
            portText = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            host = text[..<colon]
            guard HostSyntax.isHostNameOrIPv4(host) else { return nil }
            portText = text[text.index(after: colon)...]
        }
        guard (1...5).contains(portText.count), portText.allSatisfy(\.isASCIIDigit),
              let port = UInt16(portText), port > 0 else { return nil }
        self.init(host: String(host), port: port)
    }
}
