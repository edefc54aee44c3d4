/// Parses one response head from upstream (RFC 9112), from bytes that arrive in pieces.
/// Give it every byte of the head received so far on each call; make a new parser per response.
public struct ResponseHeadParser: Sendable {
    private let maxHeadBytes: Int
    private let requestMethod: String
    private var scanner = HeadScanner(maxLeadingEmptyLines: 0)

    /// - Parameter requestMethod: the method of the request this answers; it decides framing
    ///   (responses to HEAD have no body, 2xx to CONNECT become a tunnel).
    public init(maxHeadBytes: Int, requestMethod: String) {
        self.maxHeadBytes = maxHeadBytes
        self.requestMethod = requestMethod
    }

    /// - Parameter bytes: every byte received since the response began (more may follow the head).
    public mutating func parse(_ bytes: UnsafeRawBufferPointer) throws(HTTPResponseError) -> HeadParseResult<ResponseHead> {
        let result = try parseWithinLimit(bytes)
        if case .incomplete = result, bytes.count > maxHeadBytes { throw .tooLarge }
        return result
    }

    private mutating func parseWithinLimit(_ bytes: UnsafeRawBufferPointer) throws(HTTPResponseError) -> HeadParseResult<ResponseHead> {
        do throws(HeadSyntaxError) {
            guard case let .complete(start, end) = try scanner.scan(bytes, limit: maxHeadBytes) else {
                return .incomplete
            }
            return .complete(try parseHead(bytes, start: start, end: end), headLength: end)
        } catch {
            throw .malformed(error.message)
        }
    }

    private func parseHead(_ bytes: UnsafeRawBufferPointer, start: Int, end: Int) throws(HeadSyntaxError) -> ResponseHead {
        let lineEnd = scanner.startLineEnd!  // a complete head has a start line
        let line = StatusLine(bytes.slice(start..<lineEnd))
        let (version, status, reason) = try line.parse()
        let (headers, fields) = try FieldLines.parse(bytes, range: lineEnd + 2..<end, expectedCount: scanner.fieldLineCount,
                                                     repairInvalidUTF8: true)
        let framing = try framing(fields, status: status, version: version)
        return ResponseHead(status: status, reason: reason, version: version, headers: headers, framing: framing,
                            keepAlive: framing != .untilClose && fields.keepAlive(version: version))
    }

    /// RFC 9112 §6.3, except that conflicting or unknown framing is refused rather than guessed:
    /// a proxy that guesses differently from the client is how responses get smuggled.
    private func framing(_ fields: FramingFields, status: Int, version: HTTPVersion) throws(HeadSyntaxError) -> BodyFraming {
        if fields.hasTransferEncoding && fields.contentLength != nil {
            throw HeadSyntaxError("expected Content-Length or Transfer-Encoding, got both")
        }
        // RFC 9112 §6.1: Transfer-Encoding in an HTTP/1.0 message means its framing is faulty.
        if fields.hasTransferEncoding && version == .http10 {
            throw HeadSyntaxError("expected no Transfer-Encoding in an HTTP/1.0 response, got one")
        }
        if requestMethod == "HEAD" || BodilessStatus.contains(status) { return .none }
        if requestMethod == "CONNECT" && status < 300 { return .none }
        if fields.hasTransferEncoding {
            guard fields.transferCodings.verdict == .chunked else {
                throw HeadSyntaxError("expected Transfer-Encoding: chunked, got other transfer codings")
            }
            return .chunked
        }
        if let length = fields.contentLength { return .contentLength(length) }
        return .untilClose
    }
}

/// status-line = HTTP-version SP status-code SP [ reason-phrase ] (RFC 9112 §4).
private struct StatusLine {
    let bytes: UnsafeRawBufferPointer

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    func parse() throws(HeadSyntaxError) -> (HTTPVersion, Int, String) {
        guard bytes.count >= 12, bytes[8] == ByteClass.space,
              ByteClass.isDigit(bytes[9]), ByteClass.isDigit(bytes[10]), ByteClass.isDigit(bytes[11]) else {
            throw HeadSyntaxError("expected a status line \"HTTP/1.1 200 OK\", got \(quoted(bytes))")
        }
        guard case let .supported(version) = try VersionSyntax.parse(bytes.slice(0..<8)) else {
            throw HeadSyntaxError("expected HTTP/1.0 or HTTP/1.1, got \(quoted(bytes.slice(0..<8)))")
        }
        let status = Int(bytes[9] - 0x30) * 100 + Int(bytes[10] - 0x30) * 10 + Int(bytes[11] - 0x30)
        guard (100...599).contains(status) else { throw HeadSyntaxError("expected a status from 100 to 599, got \(status)") }
        // Lenient where RFC 9112 §4 lets recipients be: the SP before an empty reason may be missing.
        guard bytes.count > 12 else { return (version, status, "") }
        guard bytes[12] == ByteClass.space else {
            throw HeadSyntaxError("expected a space after the status code, got \(describe(bytes[12]))")
        }
        let reason = bytes.slice(13..<bytes.count)
        guard reason.allSatisfy(ByteClass.isFieldValueByte) else {
            throw HeadSyntaxError("expected a reason phrase without control characters")
        }
        return (version, status, String(decoding: reason, as: UTF8.self))
    }
}
