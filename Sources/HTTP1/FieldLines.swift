/// Parses the field lines of a complete head (RFC 9112 §5) into `HTTPHeaders`, noting on the way
/// the fields that decide framing and connection reuse.
enum FieldLines {
    /// - Parameters:
    ///   - range: from the first field line to the end of the head (its final CRLF included).
    ///   - repairInvalidUTF8: replace invalid UTF-8 in values instead of refusing it.
    static func parse(_ bytes: UnsafeRawBufferPointer, range: Range<Int>, expectedCount: Int,
                      repairInvalidUTF8: Bool) throws(HeadSyntaxError) -> (HTTPHeaders, FramingFields) {
        var fields: [(name: String, value: String)] = []
        fields.reserveCapacity(expectedCount)
        var framing = FramingFields()
        var lineStart = range.lowerBound
        // The head ends with an empty line, so the last line end is at range.upperBound - 2.
        while lineStart < range.upperBound - 2 {
            var lineEnd = lineStart
            while bytes[lineEnd] != ByteClass.cr { lineEnd += 1 }
            let line = try parseLine(bytes, lineStart..<lineEnd)
            let name = bytes.slice(line.name)
            let value = bytes.slice(line.value)
            try framing.note(name: name, value: value, valueRange: line.value)
            fields.append((String(decoding: name, as: UTF8.self),
                           try string(value, isASCII: line.isASCII, repair: repairInvalidUTF8)))
            lineStart = lineEnd + 2
        }
        return (HTTPHeaders(parsed: fields), framing)
    }

    private struct Line {
        var name: Range<Int>
        var value: Range<Int>
        var isASCII: Bool
    }

    private static func parseLine(_ bytes: UnsafeRawBufferPointer, _ line: Range<Int>) throws(HeadSyntaxError) -> Line {
        if ByteClass.isWhitespace(bytes[line.lowerBound]) {
            throw HeadSyntaxError("expected a field name, got a line starting with whitespace (obsolete line folding)")
        }
        var index = line.lowerBound
        while index < line.upperBound, ByteClass.isTokenChar(bytes[index]) { index += 1 }
        let nameEnd = index
        guard index < line.upperBound, bytes[index] == ByteClass.colon else {
            if index == line.upperBound { throw HeadSyntaxError("expected ':' after field name, got end of line") }
            if ByteClass.isWhitespace(bytes[index]) {
                throw HeadSyntaxError("expected ':' right after field name, got whitespace before the colon")
            }
            throw HeadSyntaxError("expected a field name character, got \(describe(bytes[index]))")
        }
        guard nameEnd > line.lowerBound else { throw HeadSyntaxError("expected a field name, got an empty one") }
        index += 1
        while index < line.upperBound, ByteClass.isWhitespace(bytes[index]) { index += 1 }
        var valueEnd = line.upperBound
        while valueEnd > index, ByteClass.isWhitespace(bytes[valueEnd - 1]) { valueEnd -= 1 }
        var isASCII = true
        for position in index..<valueEnd {
            let byte = bytes[position]
            guard ByteClass.isFieldValueByte(byte) else {
                throw HeadSyntaxError("expected field value characters, got control \(describe(byte))")
            }
            if byte >= 0x80 { isASCII = false }
        }
        return Line(name: line.lowerBound..<nameEnd, value: index..<valueEnd, isASCII: isASCII)
    }

    private static func string(_ value: UnsafeRawBufferPointer, isASCII: Bool, repair: Bool) throws(HeadSyntaxError) -> String {
        if isASCII || repair { return String(decoding: value, as: UTF8.self) }
        guard let string = String(validating: value, as: UTF8.self) else {
            throw HeadSyntaxError("expected a field value in UTF-8, got invalid UTF-8")
        }
        return string
    }
}
