import Wire

/// RFC 8259 JSON, parsed in one pass over the bytes. Strings are made from the spans between escapes
/// (one UTF-8 validation each), not a character at a time: a 6.5 MB publish of 24,000 items took
/// 1.7 s through Foundation's decoder and `Decodable`, during which the master answered nothing.
struct JSONParser {
    /// Deeper nesting is refused rather than allowed to exhaust the stack.
    static let maxDepth = 512

    private struct Invalid: Error {}

    private let bytes: [UInt8]
    private var index = 0
    private var depth = 0

    private init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// One JSON value with nothing but whitespace around it; nil when the text is not that.
    static func parse(_ bytes: [UInt8]) -> JSONValue? {
        var parser = JSONParser(bytes)
        do throws(Invalid) {
            let value = try parser.value()
            parser.skipWhitespace()
            return parser.index == bytes.count ? value : nil
        } catch {
            return nil
        }
    }

    private mutating func value() throws(Invalid) -> JSONValue {
        skipWhitespace()
        guard index < bytes.count else { throw Invalid() }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try nested { parser throws(Invalid) in try parser.object() }
        case UInt8(ascii: "["): return try nested { parser throws(Invalid) in try parser.array() }
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        default: return try number()
        }
    }

    private mutating func nested(_ body: (inout JSONParser) throws(Invalid) -> JSONValue) throws(Invalid) -> JSONValue {
        depth += 1
        guard depth <= Self.maxDepth else { throw Invalid() }
        defer { depth -= 1 }
        index += 1
        return try body(&self)
    }

    /// After the `{`. A repeated name keeps its last value.
    private mutating func object() throws(Invalid) -> JSONValue {
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if consume(UInt8(ascii: "}")) { return .object(members) }
        repeat {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw Invalid() }
            let name = try string()
            skipWhitespace()
            guard consume(UInt8(ascii: ":")) else { throw Invalid() }
            members[name] = try value()
            skipWhitespace()
        } while consume(UInt8(ascii: ","))
        guard consume(UInt8(ascii: "}")) else { throw Invalid() }
        return .object(members)
    }

    /// After the `[`.
    private mutating func array() throws(Invalid) -> JSONValue {
        var elements: [JSONValue] = []
        skipWhitespace()
        if consume(UInt8(ascii: "]")) { return .array(elements) }
        repeat {
            elements.append(try value())
            skipWhitespace()
        } while consume(UInt8(ascii: ","))
        guard consume(UInt8(ascii: "]")) else { throw Invalid() }
        return .array(elements)
    }

    /// At the opening quote. Unescaped runs are copied whole; only escapes are handled byte by byte.
    private mutating func string() throws(Invalid) -> String {
        index += 1
        var runStart = index
        var unescaped: [UInt8] = []
        var hasEscapes = false
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\""):
                let run = bytes[runStart..<index]
                index += 1
                let text: String?
                if hasEscapes {
                    unescaped.append(contentsOf: run)
                    text = String(validating: unescaped, as: UTF8.self)
                } else {
                    text = String(validating: run, as: UTF8.self)
                }
                guard let text else { throw Invalid() }
                return text
            case UInt8(ascii: "\\"):
                hasEscapes = true
                unescaped.append(contentsOf: bytes[runStart..<index])
                try appendEscape(to: &unescaped)
                runStart = index
            case 0..<0x20:
                throw Invalid()
            default:
                index += 1
            }
        }
        throw Invalid()
    }

    /// At the backslash; leaves `index` after the escape.
    private mutating func appendEscape(to output: inout [UInt8]) throws(Invalid) {
        guard index + 1 < bytes.count else { throw Invalid() }
        let letter = bytes[index + 1]
        index += 2
        switch letter {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): output.append(letter)
        case UInt8(ascii: "b"): output.append(0x08)
        case UInt8(ascii: "f"): output.append(0x0C)
        case UInt8(ascii: "n"): output.append(0x0A)
        case UInt8(ascii: "r"): output.append(0x0D)
        case UInt8(ascii: "t"): output.append(0x09)
        case UInt8(ascii: "u"): output.append(contentsOf: String(try escapedScalar()).utf8)
        default: throw Invalid()
        }
    }

    /// After `\u`: one scalar, from a surrogate pair when it takes two escapes. Lone surrogates are refused.
    private mutating func escapedScalar() throws(Invalid) -> Unicode.Scalar {
        let first = try hexQuad()
        var value = first
        if (0xD800..<0xDC00).contains(first) {
            guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else { throw Invalid() }
            index += 2
            let second = try hexQuad()
            guard (0xDC00..<0xE000).contains(second) else { throw Invalid() }
            value = 0x10000 + (first - 0xD800) << 10 + (second - 0xDC00)
        }
        guard let scalar = Unicode.Scalar(value) else { throw Invalid() }
        return scalar
    }

    private mutating func hexQuad() throws(Invalid) -> UInt32 {
        guard index + 4 <= bytes.count else { throw Invalid() }
        var value: UInt32 = 0
        for byte in bytes[index..<(index + 4)] {
            guard let digit = hexDigitValue(byte) else { throw Invalid() }
            value = value << 4 | UInt32(digit)
        }
        index += 4
        return value
    }

    /// `-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`. Integral values that fit are integers, as
    /// Foundation's decoder had them (`200.0` is the status code 200).
    private mutating func number() throws(Invalid) -> JSONValue {
        let start = index
        _ = consume(UInt8(ascii: "-"))
        if !consume(UInt8(ascii: "0")) {
            guard skipDigits() > 0 else { throw Invalid() }
        }
        var isIntegerLiteral = true
        if consume(UInt8(ascii: ".")) {
            isIntegerLiteral = false
            guard skipDigits() > 0 else { throw Invalid() }
        }
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            isIntegerLiteral = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard skipDigits() > 0 else { throw Invalid() }
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        if isIntegerLiteral, let integer = Int(text) { return .integer(integer) }
        guard let double = Double(text), double.isFinite else { throw Invalid() }
        return Int(exactly: double).map(JSONValue.integer) ?? .number(double)
    }

    private mutating func skipDigits() -> Int {
        let start = index
        while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
        return index - start
    }

    private mutating func literal(_ word: String, _ value: JSONValue) throws(Invalid) -> JSONValue {
        let count = word.utf8.count
        guard index + count <= bytes.count, bytes[index..<(index + count)].elementsEqual(word.utf8) else { throw Invalid() }
        index += count
        return value
    }

    /// Steps over `byte` when it is next.
    private mutating func consume(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"): index += 1
            default: return
            }
        }
    }
}
