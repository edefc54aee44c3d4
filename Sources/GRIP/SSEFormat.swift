/// Server-Sent Events framing for the built-in `sse` subscribe routes (docs/grip.md).
public enum SSEFormat {
    /// `id: <id>\n` then one `data: ` line per line of the payload (a single trailing newline dropped), then a blank line.
    /// Lines end at LF, CRLF or a lone CR, as an SSE client splits them. `id` holds no CR or LF
    /// (publish validation guarantees it for published ids).
    public static func event(id: String, payload: some Collection<UInt8>) -> [UInt8] {
        let bytes = Array(payload)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + id.utf8.count + 16)
        out += "id: ".utf8
        out += id.utf8
        out.append(UInt8(ascii: "\n"))

        let lines = splitLines(bytes)
        for line in lines {
            out += "data: ".utf8
            out += line
            out.append(UInt8(ascii: "\n"))
        }
        out.append(UInt8(ascii: "\n"))
        return out
    }

    /// A comment line: clients ignore it, intermediaries see traffic.
    public static let keepAliveComment: [UInt8] = Array(":\n\n".utf8)

    /// The payload's lines; an empty payload is one empty line, a final line terminator ends the last line.
    private static func splitLines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var lines: [ArraySlice<UInt8>] = []
        var start = 0
        var index = 0
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\n"):
                lines.append(bytes[start..<index])
                index += 1
                start = index
            case UInt8(ascii: "\r"):
                lines.append(bytes[start..<index])
                index += index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "\n") ? 2 : 1
                start = index
            default:
                index += 1
            }
        }
        if start < bytes.count || lines.isEmpty { lines.append(bytes[start...]) }
        return lines
    }
}
