/// One element of a header value: `value; name=param; name="quoted param"`.
struct HeaderElement {
    var value: String
    /// Parameter names are lowercased; a parameter without `=` has an empty value.
    var parameters: [(name: String, value: String)]

    /// The parameter's value; nil when absent; an error when given twice.
    func parameter(_ name: String, header: String) throws(GripHeaderError) -> String? {
        let matches = parameters.filter { $0.name == name }
        guard matches.count <= 1 else {
            throw GripHeaderError(reason: "\(header) gives the \(name) parameter \(matches.count) times; expected it once")
        }
        return matches.first?.value
    }
}

extension HeaderElement {
    /// Splits a header value into elements. Commas and semicolons inside double quotes or
    /// inside `<…>` do not split, so URLs and quoted data survive.
    /// - Parameter commaSeparated: false for headers whose value is one element (Grip-Keep-Alive data may hold commas).
    static func parse(_ text: String, header: String, commaSeparated: Bool) throws(GripHeaderError) -> [HeaderElement] {
        var elements: [HeaderElement] = []
        var parts: [String] = []
        var current: [UInt8] = []
        var inQuotes = false
        var inAngles = false
        var escaped = false

        func endPart() {
            parts.append(String(decoding: current, as: UTF8.self))
            current.removeAll(keepingCapacity: true)
        }
        func endElement() throws(GripHeaderError) {
            endPart()
            elements.append(try element(from: parts, header: header))
            parts.removeAll()
        }

        for byte in text.utf8 {
            if inQuotes {
                current.append(byte)
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inQuotes = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inQuotes = true; current.append(byte)
            case UInt8(ascii: "<"): inAngles = true; current.append(byte)
            case UInt8(ascii: ">"): inAngles = false; current.append(byte)
            case UInt8(ascii: ";") where !inAngles: endPart()
            case UInt8(ascii: ",") where commaSeparated && !inAngles: try endElement()
            default: current.append(byte)
            }
        }
        guard !inQuotes else { throw GripHeaderError(reason: "\(header) has an unterminated quoted string in \"\(text)\"") }
        guard !inAngles else { throw GripHeaderError(reason: "\(header) has an unterminated <…> in \"\(text)\"") }
        try endElement()
        return elements
    }

    private static func element(from parts: [String], header: String) throws(GripHeaderError) -> HeaderElement {
        let value = try unquoted(trimmed(parts[0]), header: header)
        var parameters: [(name: String, value: String)] = []
        for part in parts.dropFirst() {
            let text = trimmed(part)
            if text.isEmpty { continue }
            let name: Substring, rawValue: Substring
            if let equals = text.firstIndex(of: "=") {
                name = text[..<equals]
                rawValue = text[text.index(after: equals)...]
            } else {
                name = text[...]
                rawValue = ""
            }
            let cleanName = trimmed(String(name)).lowercased()
            guard !cleanName.isEmpty else {
                throw GripHeaderError(reason: "\(header) has a parameter without a name: \"\(text)\"")
            }
            parameters.append((cleanName, try unquoted(trimmed(String(rawValue)), header: header)))
        }
        return HeaderElement(value: value, parameters: parameters)
    }

    static func trimmed(_ text: String) -> String {
        let bytes = Array(text.utf8)
        let isSpace = { (b: UInt8) in b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }

    /// Removes the quotes and backslash escapes of an RFC 9110 quoted-string; other text is returned as is.
    private static func unquoted(_ text: String, header: String) throws(GripHeaderError) -> String {
        let bytes = Array(text.utf8)
        guard bytes.first == UInt8(ascii: "\"") else { return text }
        var out: [UInt8] = []
        var escaped = false
        for (offset, byte) in bytes.enumerated().dropFirst() {
            if escaped {
                out.append(byte)
                escaped = false
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
            } else if byte == UInt8(ascii: "\"") {
                guard offset == bytes.count - 1 else {
                    throw GripHeaderError(reason: "\(header) has text after a quoted string: \(text)")
                }
                return String(decoding: out, as: UTF8.self)
            } else {
                out.append(byte)
            }
        }
        throw GripHeaderError(reason: "\(header) has an unterminated quoted string in \(text)")
    }
}
