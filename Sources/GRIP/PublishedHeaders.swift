/// The `headers` of a published `http-response`: an object `{"Name": "value"}` or, to repeat a
/// name, an array of `["Name", "value"]` pairs. Names must be tokens and values free of CR, LF
/// and NUL, so nothing published can forge a header line. Which of them reach a client is the
/// proxy's choice when it sends the answer (hop-by-hop and `Grip-*` fields never do).
enum PublishedHeaders {
    static func parse(_ value: JSONValue?, path: String) throws(PublishError) -> [PublishedResponse.Header] {
        var pairs: [(name: String, value: JSONValue, path: String)] = []
        switch value {
        case nil, .null?:
            return []
        case .object(let fields)?:
            // JSON objects have no order; sorting makes the result the same on every run.
            for name in fields.keys.sorted() { pairs.append((name, fields[name]!, "\(path).\(name)")) }
        case .array(let elements)?:
            for (index, element) in elements.enumerated() {
                guard case .array(let pair) = element, pair.count == 2, case .string(let name) = pair[0] else {
                    throw PublishError(reason: "\(path)[\(index)] expected a [\"Name\", \"value\"] pair; got \(element.described)")
                }
                pairs.append((name, pair[1], "\(path)[\(index)]"))
            }
        case let other?:
            throw PublishError(reason: "\(path) expected an object or an array of pairs; got \(other.described)")
        }

        var headers: [PublishedResponse.Header] = []
        for pair in pairs {
            guard isFieldName(pair.name) else {
                throw PublishError(reason: "\(pair.path) expected a header name made of token characters; got \(pair.name.debugDescription)")
            }
            guard case .string(let text) = pair.value else {
                throw PublishError(reason: "\(pair.path) expected a string value; got \(pair.value.described)")
            }
            guard isFieldValue(text) else {
                throw PublishError(reason: "\(pair.path) expected a value without CR, LF or NUL; got \(text.debugDescription)")
            }
            headers.append(PublishedResponse.Header(name: pair.name, value: text))
        }
        return headers
    }

    /// A non-empty RFC 9110 token (shared with WebSocket-over-HTTP's `set-meta`).
    static func isFieldName(_ name: String) -> Bool { !name.isEmpty && name.utf8.allSatisfy(isTokenCharacter) }

    /// A value that cannot split or end the header it goes into.
    static func isFieldValue(_ text: String) -> Bool {
        !text.unicodeScalars.contains { $0 == "\r" || $0 == "\n" || $0 == "\0" }
    }

    /// RFC 9110 tchar.
    private static func isTokenCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
        }
    }
}
