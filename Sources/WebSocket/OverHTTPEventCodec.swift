import Wire

/// The `application/websocket-events` encoding: each event is its name, then for one with content
/// a space and the content's length in hexadecimal, CRLF, the content and CRLF again
/// (`TEXT 5\r\nhello\r\n`); an event without content is its name and CRLF (`OPEN\r\n`). A CLOSE's
/// content is the 2-byte code, then the reason.
public enum OverHTTPEventCodec {
    public static func encode(_ events: [OverHTTPEvent]) -> [UInt8] {
        var out: [UInt8] = []
        for event in events { append(event, to: &out) }
        return out
    }

    public static func append(_ event: OverHTTPEvent, to out: inout [UInt8]) {
        switch event {
        case .open: appendBare("OPEN", to: &out)
        case .disconnect: appendBare("DISCONNECT", to: &out)
        case let .text(content): appendEvent("TEXT", content, to: &out)
        case let .binary(content): appendEvent("BINARY", content, to: &out)
        case let .ping(content): appendEvent("PING", content, to: &out)
        case let .pong(content): appendEvent("PONG", content, to: &out)
        case .close(nil, _): appendBare("CLOSE", to: &out)
        case let .close(code?, reason): appendEvent("CLOSE", [UInt8(code >> 8), UInt8(code & 0xFF)] + reason, to: &out)
        }
    }

    private static func appendBare(_ name: String, to out: inout [UInt8]) {
        out += name.utf8
        out += crlf
    }

    private static func appendEvent(_ name: String, _ content: [UInt8], to out: inout [UInt8]) {
        out += name.utf8
        out.append(UInt8(ascii: " "))
        out += String(content.count, radix: 16, uppercase: true).utf8
        out += crlf
        out += content
        out += crlf
    }

    static let crlf: [UInt8] = [13, 10]
}

/// Reads `application/websocket-events` split anywhere: each `read` returns the events its bytes
/// completed and keeps the incomplete rest; `finish` says whether the body ended on an event's end.
/// Unknown names, bad lengths, a missing CRLF and a CLOSE with one byte of content are refused.
public struct OverHTTPEventDecoder {
    /// Content longer than this is refused before it is buffered.
    public let maxContentBytes: Int
    private var pending: [UInt8] = []

    public init(maxContentBytes: Int) {
        self.maxContentBytes = maxContentBytes
    }

    public mutating func read(_ bytes: some Collection<UInt8>) throws(OverHTTPEventError) -> [OverHTTPEvent] {
        pending += bytes
        var events: [OverHTTPEvent] = []
        var start = 0
        while let (event, end) = try nextEvent(from: start) {
            events.append(event)
            start = end
        }
        pending.removeFirst(start)
        return events
    }

    /// The body is over: a partial event left is an error.
    public func finish() throws(OverHTTPEventError) {
        guard pending.isEmpty else { throw OverHTTPEventError(reason: "the body ends inside an event") }
    }

    /// The event starting at `start` and where it ends, or nil if it is not all there yet.
    private func nextEvent(from start: Int) throws(OverHTTPEventError) -> (OverHTTPEvent, Int)? {
        // The longest line is a name, a space and eight hex digits: CRLF must come within that,
        // decided on the same bytes however the body is split.
        let window = min(pending.count, start + Self.maxLineBytes + 2)
        guard let lineEnd = lineEnd(from: start, before: window) else {
            if window - start == Self.maxLineBytes + 2 {
                throw OverHTTPEventError(reason: "an event line over \(Self.maxLineBytes) bytes or without CRLF")
            }
            return nil
        }
        let line = pending[start..<lineEnd]
        let space = line.firstIndex(of: UInt8(ascii: " "))
        let name = String(decoding: line[start..<(space ?? lineEnd)], as: UTF8.self)
        guard let space else { return (try event(name, []), lineEnd + 2) }
        let length = try contentLength(line[(space + 1)...])
        let contentStart = lineEnd + 2
        guard pending.count >= contentStart + length + 2 else { return nil }
        let content = Array(pending[contentStart..<(contentStart + length)])
        guard pending[contentStart + length] == 13, pending[contentStart + length + 1] == 10 else {
            throw OverHTTPEventError(reason: "\(name) content is not followed by CRLF")
        }
        return (try event(name, content), contentStart + length + 2)
    }

    private func lineEnd(from start: Int, before end: Int) -> Int? {
        var index = start
        while index + 1 < end {
            if pending[index] == 13 {
                return pending[index + 1] == 10 ? index : nil
            }
            index += 1
        }
        return nil
    }

    private func contentLength(_ digits: ArraySlice<UInt8>) throws(OverHTTPEventError) -> Int {
        guard !digits.isEmpty, digits.count <= 8 else { throw OverHTTPEventError(reason: "a content length must be 1 to 8 hex digits") }
        var length = 0
        for byte in digits {
            guard let value = hexDigitValue(byte) else { throw OverHTTPEventError(reason: "a content length must be hexadecimal") }
            length = length * 16 + Int(value)
        }
        guard length <= maxContentBytes else { throw OverHTTPEventError(reason: "event content over \(maxContentBytes) bytes") }
        return length
    }

    private func event(_ name: String, _ content: [UInt8]) throws(OverHTTPEventError) -> OverHTTPEvent {
        switch name {
        case "OPEN": return .open
        case "DISCONNECT": return .disconnect
        case "TEXT": return .text(content)
        case "BINARY": return .binary(content)
        case "PING": return .ping(content)
        case "PONG": return .pong(content)
        case "CLOSE":
            if content.isEmpty { return .close(code: nil, reason: []) }
            guard content.count >= 2 else { throw OverHTTPEventError(reason: "a CLOSE code is 2 bytes") }
            return .close(code: UInt16(content[0]) << 8 | UInt16(content[1]), reason: Array(content[2...]))
        default:
            throw OverHTTPEventError(reason: "unknown event \"\(name.prefix(20))\"")
        }
    }

    private static let maxLineBytes = 20
}
