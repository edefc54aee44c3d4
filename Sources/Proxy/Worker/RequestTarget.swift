import HTTP1

/// The parts of a request target that routing needs.
enum RequestTarget {
    /// Host without port (lowercased) and the path without query, for origin- and absolute-form targets.
    static func hostAndPath(_ head: RequestHead) -> (host: String?, path: String) {
        var target = Substring(head.target)
        var host: Substring? = head.headers["host"].map { Substring($0) }
        if let schemeEnd = target.range(of: "://") {
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

    /// The value of query parameter `name`, percent-decoded.
    static func queryValue(_ target: String, _ name: String) -> String? {
        guard let questionMark = target.firstIndex(of: "?") else { return nil }
        for pair in target[target.index(after: questionMark)...].split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if percentDecode(String(parts[0])) == name { return parts.count > 1 ? percentDecode(String(parts[1])) : "" }
        }
        return nil
    }

    static func percentDecode(_ text: String) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%"), let high = iterator.next(), let low = iterator.next(),
               let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) {
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
