/// The line each key and table header of a TOML file is written on. TOMLKit's tree carries no
/// positions, so they are recovered from the text: keys and headers are read, values only skipped
/// (a line inside a multi-line string or array is no key). Meant for text TOMLKit has accepted:
/// it does not check the syntax, and on broken text its lines mean little.
struct KeyLineIndex {
    private let lineByPath: [TOMLPath: Int]

    init(text: String) {
        var scanner = Scanner(bytes: Array(text.utf8))
        scanner.scanDocument()
        lineByPath = scanner.lineByPath
    }

    /// The 1-based line where `path` is written: its key, or the header of its table or of its
    /// `[[array]]` entry; an array of tables is at its first entry's header. Nil if not written.
    func line(of path: TOMLPath) -> Int? { lineByPath[path] }

    /// The line of `path`, else of the nearest table or key holding it that the file writes:
    /// the `x = { … }` holding an inline table's key, the header of a table a key is missing from.
    func nearestLine(of path: TOMLPath) -> Int? {
        var candidate: TOMLPath? = path
        while let path = candidate {
            if let line = lineByPath[path] { return line }
            candidate = path.parent
        }
        return nil
    }
}

/// Walks the UTF-8 bytes once, line by line, reporting each key and header it reads with its line.
private struct Scanner {
    private let bytes: [UInt8]
    private var position = 0
    private var line = 1
    /// The first line each path is written on.
    private(set) var lineByPath: [TOMLPath: Int] = [:]
    /// The table `key = value` lines belong to.
    private var currentTable = TOMLPath.root
    /// Entries so far of each array of tables, so `[backend.health]` names the last `[[backend]]`.
    private var entryCounts: [TOMLPath: Int] = [:]

    init(bytes: [UInt8]) {
        self.bytes = bytes
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }
    }

    mutating func scanDocument() {
        while true {
            skipBlankLinesAndComments()
            guard let byte = peek() else { return }
            if byte == UInt8(ascii: "[") {
                scanHeader()
            } else {
                scanKeyValue()
            }
            skipToLineEnd()
        }
    }

    private mutating func record(_ path: TOMLPath, _ line: Int) {
        lineByPath[path] = lineByPath[path] ?? line
    }

    private mutating func scanHeader() {
        let headerLine = line
        advance()
        let isArray = peek() == UInt8(ascii: "[")
        if isArray { advance() }
        guard let keys = scanKey(), let last = keys.last else { return }
        var path = TOMLPath.root
        for key in keys.dropLast() {
            path = path.appending(key)
            if let count = entryCounts[path] { path = path.appending(index: count - 1) }
        }
        path = path.appending(last)
        if isArray {
            let index = entryCounts[path, default: 0]
            entryCounts[path] = index + 1
            record(path, headerLine)
            path = path.appending(index: index)
        }
        record(path, headerLine)
        currentTable = path
    }

    private mutating func scanKeyValue() {
        let keyLine = line
        guard let keys = scanKey() else { return }
        skipSpaces()
        guard peek() == UInt8(ascii: "=") else { return }
        advance()
        // A dotted key also defines the tables it passes through, on this line unless written before.
        var path = currentTable
        for key in keys {
            path = path.appending(key)
            record(path, keyLine)
        }
        skipSpaces()
        skipValue()
    }

    /// A dotted key of bare and quoted parts; nil if none is there.
    private mutating func scanKey() -> [String]? {
        var keys: [String] = []
        while true {
            skipSpaces()
            guard let byte = peek() else { return nil }
            let key: String?
            switch byte {
            case UInt8(ascii: "\""): key = scanBasicString()
            case UInt8(ascii: "'"): key = scanLiteralString()
            default: key = scanBareKey()
            }
            guard let key else { return nil }
            keys.append(key)
            skipSpaces()
            guard peek() == UInt8(ascii: ".") else { return keys }
            advance()
        }
    }

    private mutating func scanBareKey() -> String? {
        let start = position
        while let byte = peek(), isBareKeyByte(byte) { advance() }
        return position > start ? String(decoding: bytes[start..<position], as: UTF8.self) : nil
    }

    private mutating func scanLiteralString() -> String? {
        advance()
        let start = position
        while let byte = peek(), byte != UInt8(ascii: "'"), byte != UInt8(ascii: "\n") { advance() }
        guard peek() == UInt8(ascii: "'") else { return nil }
        defer { advance() }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    /// A single-line `"…"` string, escapes decoded, so a quoted key matches TOMLKit's.
    private mutating func scanBasicString() -> String? {
        advance()
        var decoded: [UInt8] = []
        while let byte = peek(), byte != UInt8(ascii: "\n") {
            advance()
            switch byte {
            case UInt8(ascii: "\""):
                return String(decoding: decoded, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard let escaped = scanEscape() else { return nil }
                decoded.append(contentsOf: escaped)
            default:
                decoded.append(byte)
            }
        }
        return nil
    }

    /// The UTF-8 of the escape after a backslash.
    private mutating func scanEscape() -> [UInt8]? {
        guard let byte = peek() else { return nil }
        advance()
        let digitCount: Int
        switch byte {
        case UInt8(ascii: "b"): return [0x08]
        case UInt8(ascii: "t"): return [0x09]
        case UInt8(ascii: "n"): return [0x0A]
        case UInt8(ascii: "f"): return [0x0C]
        case UInt8(ascii: "r"): return [0x0D]
        case UInt8(ascii: "e"): return [0x1B]
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): return [byte]
        case UInt8(ascii: "x"): digitCount = 2
        case UInt8(ascii: "u"): digitCount = 4
        case UInt8(ascii: "U"): digitCount = 8
        default: return nil
        }
        guard position + digitCount <= bytes.count,
              let value = UInt32(String(decoding: bytes[position..<position + digitCount], as: UTF8.self), radix: 16),
              let scalar = Unicode.Scalar(value) else { return nil }
        position += digitCount
        return Array(String(Character(scalar)).utf8)
    }

    /// Past a value; only strings and brackets matter, as they alone may span lines or hold `#`.
    private mutating func skipValue() {
        switch peek() {
        case UInt8(ascii: "\""), UInt8(ascii: "'"): skipString()
        case UInt8(ascii: "["): skipBrackets(closing: UInt8(ascii: "]"))
        case UInt8(ascii: "{"): skipBrackets(closing: UInt8(ascii: "}"))
        default: break
        }
    }

    private mutating func skipBrackets(closing: UInt8) {
        advance()
        while let byte = peek() {
            switch byte {
            case closing:
                advance()
                return
            case UInt8(ascii: "\""), UInt8(ascii: "'"): skipString()
            case UInt8(ascii: "["): skipBrackets(closing: UInt8(ascii: "]"))
            case UInt8(ascii: "{"): skipBrackets(closing: UInt8(ascii: "}"))
            case UInt8(ascii: "#"): skipToLineEnd()
            default: advance()
            }
        }
    }

    /// Past a basic or literal string, single- or multi-line.
    private mutating func skipString() {
        guard let quote = peek() else { return }
        let escapes = quote == UInt8(ascii: "\"")
        let isMultiLine = position + 2 < bytes.count && bytes[position + 1] == quote && bytes[position + 2] == quote
        position += isMultiLine ? 3 : 1
        while let byte = peek() {
            if byte == UInt8(ascii: "\n") && !isMultiLine { return }
            advance()
            if escapes && byte == UInt8(ascii: "\\") {
                if peek() != nil { advance() }
            } else if byte == quote && (!isMultiLine || closesMultiLine(quote)) {
                return
            }
        }
    }

    /// After one quote of a multi-line string: whether two more follow, and if so consumes them
    /// and up to two more, which belong to the content (`"""a""""` is `a"`).
    private mutating func closesMultiLine(_ quote: UInt8) -> Bool {
        guard peek() == quote, position + 1 < bytes.count, bytes[position + 1] == quote else { return false }
        position += 2
        for _ in 0..<2 where peek() == quote { position += 1 }
        return true
    }

    private mutating func skipBlankLinesAndComments() {
        while let byte = peek() {
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: "\n"): advance()
            case UInt8(ascii: "#"): skipToLineEnd()
            default: return
            }
        }
    }

    private mutating func skipSpaces() {
        while let byte = peek(), byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") { advance() }
    }

    /// Up to the newline, leaving it for the caller, which counts it.
    private mutating func skipToLineEnd() {
        while let byte = peek(), byte != UInt8(ascii: "\n") { advance() }
    }

    private func peek() -> UInt8? { position < bytes.count ? bytes[position] : nil }

    private mutating func advance() {
        if bytes[position] == UInt8(ascii: "\n") { line += 1 }
        position += 1
    }
}

private func isBareKeyByte(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
         UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"): true
    default: false
    }
}
