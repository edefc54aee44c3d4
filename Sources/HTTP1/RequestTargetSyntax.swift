/// The four forms of request target (RFC 9112 §3.2), checked on bytes.
enum RequestTargetSyntax {
    static func validate(_ target: UnsafeRawBufferPointer, method: UnsafeRawBufferPointer) throws(HeadSyntaxError) {
        guard !target.isEmpty else { throw HeadSyntaxError("expected a request target, got an empty one") }
        if method.elementsEqual("CONNECT".utf8) {
            return try AuthoritySyntax.validate(target, portRequired: true, what: "CONNECT target")
        }
        if target.count == 1 && target[0] == UInt8(ascii: "*") {
            guard method.elementsEqual("OPTIONS".utf8) else {
                throw HeadSyntaxError("expected '*' as target only with OPTIONS, got it with another method")
            }
            return
        }
        if target[0] == UInt8(ascii: "/") { return try validateURIChars(target, from: 0) }
        try validateAbsoluteForm(target)
    }

    /// scheme "://" authority [ path-abempty ] [ "?" query ]: http(s) URIs must name a host
    /// (RFC 9110 §4.2.1), and userinfo is refused (RFC 9110 §4.2.4).
    private static func validateAbsoluteForm(_ target: UnsafeRawBufferPointer) throws(HeadSyntaxError) {
        guard ByteClass.isAlpha(target[0]) else {
            throw HeadSyntaxError("expected a target starting with '/' or a URI scheme, got \(describe(target[0]))")
        }
        var index = 1
        while index < target.count, isSchemeChar(target[index]) { index += 1 }
        guard target.count >= index + 3, target[index] == UInt8(ascii: ":"),
              target[index + 1] == UInt8(ascii: "/"), target[index + 2] == UInt8(ascii: "/") else {
            throw HeadSyntaxError("expected an absolute URI \"scheme://authority/path\" as target, got another form")
        }
        let authorityStart = index + 3
        var authorityEnd = authorityStart
        while authorityEnd < target.count, target[authorityEnd] != UInt8(ascii: "/"), target[authorityEnd] != UInt8(ascii: "?") {
            authorityEnd += 1
        }
        try AuthoritySyntax.validate(target.slice(authorityStart..<authorityEnd), portRequired: false, what: "target authority")
        try validateURIChars(target, from: authorityEnd)
    }

    private static func isSchemeChar(_ byte: UInt8) -> Bool {
        ByteClass.isAlpha(byte) || ByteClass.isDigit(byte)
            || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
    }

    /// Path and query characters of RFC 3986, plus `[ ] { } | ^ \``, which browsers send unescaped
    /// in queries (`?ids[]=1`); refusing them would refuse real clients. Escapes must be `%` HEXDIG HEXDIG.
    private static func validateURIChars(_ target: UnsafeRawBufferPointer, from start: Int) throws(HeadSyntaxError) {
        var index = start
        while index < target.count {
            let byte = target[index]
            switch byte {
            case UInt8(ascii: "%"):
                guard index + 2 < target.count, ByteClass.hexValue(target[index + 1]) != nil,
                      ByteClass.hexValue(target[index + 2]) != nil else {
                    throw HeadSyntaxError("expected two hex digits after '%' in the request target")
                }
                index += 2
            case UInt8(ascii: ":"), UInt8(ascii: "@"), UInt8(ascii: "/"), UInt8(ascii: "?"),
                 UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "{"), UInt8(ascii: "}"),
                 UInt8(ascii: "|"), UInt8(ascii: "^"), UInt8(ascii: "`"):
                break
            default:
                guard ByteClass.isUnreservedOrSubDelim(byte) else {
                    throw HeadSyntaxError("expected URI characters in the request target, got \(describe(byte))")
                }
            }
            index += 1
        }
    }
}

/// uri-host [ ":" port ] (RFC 3986 §3.2.2, §3.2.3), as in a Host field, a CONNECT target or an absolute URI.
enum AuthoritySyntax {
    static func validate(_ authority: UnsafeRawBufferPointer, portRequired: Bool, what: String) throws(HeadSyntaxError) {
        var index = 0
        if index < authority.count, authority[index] == UInt8(ascii: "[") {
            index += 1
            while index < authority.count, isIPLiteralChar(authority[index]) { index += 1 }
            guard index > 1, index < authority.count, authority[index] == UInt8(ascii: "]") else {
                throw HeadSyntaxError("expected an IP literal \"[...]\" in the \(what)")
            }
            index += 1
        } else {
            while index < authority.count, authority[index] != ByteClass.colon {
                let byte = authority[index]
                if byte == UInt8(ascii: "%") {
                    guard index + 2 < authority.count, ByteClass.hexValue(authority[index + 1]) != nil,
                          ByteClass.hexValue(authority[index + 2]) != nil else {
                        throw HeadSyntaxError("expected two hex digits after '%' in the \(what)")
                    }
                    index += 2
                } else if !ByteClass.isUnreservedOrSubDelim(byte) {
                    throw HeadSyntaxError("expected a host name in the \(what), got \(describe(byte))")
                }
                index += 1
            }
            guard index > 0 else { throw HeadSyntaxError("expected a host in the \(what), got none") }
        }
        guard index < authority.count else {
            if portRequired { throw HeadSyntaxError("expected \"host:port\" as \(what), got no port") }
            return
        }
        guard authority[index] == ByteClass.colon else {
            throw HeadSyntaxError("expected ':' or the end after the host in the \(what), got \(describe(authority[index]))")
        }
        let port = authority.slice(index + 1..<authority.count)
        guard port.count <= 5, port.allSatisfy(ByteClass.isDigit), !(portRequired && port.isEmpty) else {
            throw HeadSyntaxError("expected a port number in the \(what), got \(quoted(port))")
        }
    }

    private static func isIPLiteralChar(_ byte: UInt8) -> Bool {
        ByteClass.hexValue(byte) != nil || byte == ByteClass.colon || byte == UInt8(ascii: ".")
    }
}
