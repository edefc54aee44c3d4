/// Parses one request head (RFC 9112), strictly, from bytes that arrive in pieces.
/// Give it every byte of the head received so far on each call: it resumes scanning where it
/// stopped. Make a new parser for each request.
public struct RequestHeadParser: Sendable {
    /// RFC 9112 §2.2 asks servers to skip at least one empty line before a request line (clients
    /// have sent a stray CRLF after a POST body); a few more cost nothing, an endless stream of
    /// them is refused.
    static let maxLeadingEmptyLines = 4

    private let limits: HTTPLimits
    private var scanner = HeadScanner(maxLeadingEmptyLines: maxLeadingEmptyLines)

    public init(limits: HTTPLimits) {
        self.limits = limits
    }

    /// - Parameter bytes: every byte received since the request began (more may follow the head).
    /// - Throws: the error to answer with before closing the connection; 414 and 431 come as soon
    ///   as the limit is passed, before the head is complete.
    public mutating func parse(_ bytes: UnsafeRawBufferPointer) throws(HTTPRequestError) -> HeadParseResult<RequestHead> {
        let outcome = try badRequestOnSyntaxError { () throws(HeadSyntaxError) in
            try scanner.scan(bytes, limit: limits.maxHeaderBytes)
        }
        try checkTargetLength()
        if scanner.fieldLineCount > limits.maxHeaders { throw .headerFieldsTooLarge }
        guard case let .complete(start, end) = outcome else {
            if bytes.count > limits.maxHeaderBytes { throw .headerFieldsTooLarge }
            return .incomplete
        }
        return .complete(try parseHead(bytes, start: start, end: end), headLength: end)
    }

    /// Refuses a long target as soon as it is seen, without waiting for the rest of the line.
    private func checkTargetLength() throws(HTTPRequestError) {
        guard let firstSpace = scanner.firstSpace else { return }
        let targetEnd = scanner.secondSpace ?? scanner.startLineSeenEnd
        if targetEnd - firstSpace - 1 > limits.maxURIBytes { throw .uriTooLong }
    }

    private func parseHead(_ bytes: UnsafeRawBufferPointer, start: Int, end: Int) throws(HTTPRequestError) -> RequestHead {
        let lineEnd = scanner.startLineEnd!  // a complete head has a start line
        guard let firstSpace = scanner.firstSpace, let secondSpace = scanner.secondSpace else {
            throw .badRequest("expected a request line \"method target version\", got \(quoted(bytes.slice(start..<lineEnd)))")
        }
        let method = bytes.slice(start..<firstSpace)
        guard !method.isEmpty, method.allSatisfy(ByteClass.isTokenChar) else {
            throw .badRequest("expected a method token, got \(quoted(method))")
        }
        let target = bytes.slice(firstSpace + 1..<secondSpace)
        let (version, headers, fields) = try badRequestOnSyntaxError { () throws(HeadSyntaxError) in
            let version = try VersionSyntax.parse(bytes.slice(secondSpace + 1..<lineEnd))
            try RequestTargetSyntax.validate(target, method: method)
            let (headers, fields) = try FieldLines.parse(bytes, range: lineEnd + 2..<end, expectedCount: scanner.fieldLineCount,
                                                         repairInvalidUTF8: false)
            return (version, headers, fields)
        }
        guard case let .supported(version) = version else { throw .versionNotSupported }
        try checkHost(fields, version: version, bytes)
        return RequestHead(method: String(decoding: method, as: UTF8.self), target: String(decoding: target, as: UTF8.self),
                           version: version, headers: headers, framing: try framing(fields, version: version),
                           keepAlive: fields.keepAlive(version: version))
    }

    private func checkHost(_ fields: FramingFields, version: HTTPVersion,
                           _ bytes: UnsafeRawBufferPointer) throws(HTTPRequestError) {
        if fields.hostCount > 1 { throw .badRequest("expected one Host field, got \(fields.hostCount)") }
        if let host = fields.hostValue, !host.isEmpty {
            try badRequestOnSyntaxError { () throws(HeadSyntaxError) in
                try AuthoritySyntax.validate(bytes.slice(host), portRequired: false, what: "Host field")
            }
        } else if version == .http11 && fields.hostCount == 0 {
            throw .badRequest("expected a Host field in an HTTP/1.1 request, got none")
        }
    }

    /// RFC 9112 §6.3: Transfer-Encoding wins only when it ends in chunked; anything ambiguous is refused.
    private func framing(_ fields: FramingFields, version: HTTPVersion) throws(HTTPRequestError) -> BodyFraming {
        if fields.hasTransferEncoding {
            if version == .http10 { throw .badRequest("expected no Transfer-Encoding in an HTTP/1.0 request, got one") }
            if fields.contentLength != nil { throw .badRequest("expected Content-Length or Transfer-Encoding, got both") }
            switch fields.transferCodings.verdict {
            case .chunked: return .chunked
            // 400, not 501: the body length is unknowable, which RFC 9112 §6.3 answers with 400.
            case .chunkedNotFinal: throw .badRequest("expected chunked once, as the final transfer coding")
            case .unsupported: throw .notImplemented("only the chunked transfer coding is supported")
            }
        }
        // A declared length over the limit is the server's to refuse, once it knows how to answer (CORS).
        guard let length = fields.contentLength else { return .none }
        return .contentLength(length)
    }
}

private func badRequestOnSyntaxError<Value>(_ body: () throws(HeadSyntaxError) -> Value) throws(HTTPRequestError) -> Value {
    do {
        return try body()
    } catch {
        throw .badRequest(error.message)
    }
}
