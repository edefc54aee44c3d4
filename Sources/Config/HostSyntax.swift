#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Host name rules shared by addresses, route hosts and CORS origins.
enum HostSyntax {
    static func isIPv4Literal(_ text: Substring) -> Bool { parses(text, family: AF_INET) }

    static func isIPv6Literal(_ text: Substring) -> Bool { parses(text, family: AF_INET6) }

    /// A DNS name (`localhost`, `app.example.org`): labels of letters, digits and inner hyphens.
    /// A name whose last label is numeric must be a valid IPv4 literal instead, so `999.1.1.1` is refused.
    static func isHostName(_ text: Substring) -> Bool {
        let labels = text.split(separator: ".", omittingEmptySubsequences: false)
        guard text.utf8.count <= 253, let last = labels.last, !last.allSatisfy(\.isASCIIDigit) else { return false }
        return labels.allSatisfy { label in
            (1...63).contains(label.utf8.count)
                && label.allSatisfy { $0.isASCIILetterOrDigit || $0 == "-" }
                && label.first != "-" && label.last != "-"
        }
    }

    static func isHostNameOrIPv4(_ text: Substring) -> Bool { isIPv4Literal(text) || isHostName(text) }

    private static func parses(_ text: Substring, family: Int32) -> Bool {
        var buffer = (UInt64(0), UInt64(0))
        return withUnsafeMutableBytes(of: &buffer) { bytes in
            String(text).withCString { inet_pton(family, $0, bytes.baseAddress) == 1 }
        }
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
    var isASCIILetterOrDigit: Bool { isASCII && (isLetter || isNumber) }
}
