/// Finds where a message head ends, resuming where the previous call stopped, so a head that
/// arrives a few bytes at a time is scanned once in total. Every line must end in CRLF:
/// a CR not followed by LF, or an LF not preceded by CR, is refused.
struct HeadScanner {
    enum Outcome: Equatable {
        case incomplete
        /// The head is `bytes[start..<end]`: start line, field lines and the empty line ending it.
        case complete(start: Int, end: Int)
    }

    /// Empty lines tolerated before the start line (RFC 9112 §2.2 asks servers to skip at least one).
    let maxLeadingEmptyLines: Int
    /// Bytes scanned so far, including leading empty lines.
    private(set) var scanned = 0
    /// Where the start line begins, once the leading empty lines are behind us.
    private(set) var headStart = 0
    /// Where the start line ends (its CR), once seen.
    private(set) var startLineEnd: Int?
    /// Positions of the first two spaces of the start line, once seen.
    private(set) var firstSpace: Int?
    private(set) var secondSpace: Int?
    /// Where the start line ends, or how far it has been seen (a trailing CR is not part of it).
    var startLineSeenEnd: Int { startLineEnd ?? (afterCR ? scanned - 1 : scanned) }
    /// Field lines seen so far.
    private(set) var fieldLineCount = 0
    private var lineStart = 0
    private var afterCR = false
    private var leadingEmptyLines = 0

    init(maxLeadingEmptyLines: Int) {
        self.maxLeadingEmptyLines = maxLeadingEmptyLines
    }

    /// Scans `bytes[scanned..<min(bytes.count, limit)]`; `bytes` must start with what earlier calls saw.
    mutating func scan(_ bytes: UnsafeRawBufferPointer, limit: Int) throws(HeadSyntaxError) -> Outcome {
        precondition(bytes.count >= scanned, "a head parser must be given every byte it saw before")
        let end = Swift.min(bytes.count, limit)
        var index = scanned
        defer { scanned = Swift.max(scanned, index) }
        while index < end {
            let byte = bytes[index]
            // Most bytes are none of CR, LF and SP: one comparison passes them by.
            if byte > ByteClass.space && !afterCR {
                index += 1
                continue
            }
            if afterCR {
                guard byte == ByteClass.lf else {
                    throw HeadSyntaxError("expected LF after CR at byte \(index), got \(describe(byte))")
                }
                afterCR = false
                index += 1
                if let outcome = try endLine(contentEnd: index - 2, next: index) { return outcome }
                continue
            }
            switch byte {
            case ByteClass.cr:
                afterCR = true
            case ByteClass.lf:
                throw HeadSyntaxError("expected CRLF line ending, got a bare LF at byte \(index)")
            case ByteClass.space where startLineEnd == nil:
                if firstSpace == nil { firstSpace = index } else if secondSpace == nil { secondSpace = index }
            default:
                break
            }
            index += 1
        }
        return .incomplete
    }

    private mutating func endLine(contentEnd: Int, next: Int) throws(HeadSyntaxError) -> Outcome? {
        defer { lineStart = next }
        guard contentEnd == lineStart else {
            if startLineEnd == nil { startLineEnd = contentEnd } else { fieldLineCount += 1 }
            return nil
        }
        if startLineEnd != nil { return .complete(start: headStart, end: next) }
        leadingEmptyLines += 1
        guard leadingEmptyLines <= maxLeadingEmptyLines else {
            throw HeadSyntaxError("expected a start line, got \(leadingEmptyLines) empty lines")
        }
        headStart = next
        return nil
    }
}
