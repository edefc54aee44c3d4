public enum ChunkedDecodeStep: Sendable, Equatable {
    case needMore
    case finished
}

/// Decodes a chunked body (RFC 9112 §7.1) incrementally, handing out the data without copying it.
/// Chunk extensions and trailer fields are checked for syntax and dropped.
public struct ChunkedDecoder: Sendable {
    /// Bytes allowed in one chunk-size line or in the trailer section: neither is buffered, but
    /// without a bound a client could send metadata forever and never reach the body limit.
    static let maxMetadataBytes = 16384

    private enum State {
        case size, extensionSeparator, extensionNameStart, extensionName, extensionAfterName
        case extensionValueStart, extensionToken, quoted, quotedPair, sizeLF
        case data, dataCR, dataLF
        case trailerLineStart, trailerName, trailerValue, trailerLF, finalLF
        case done
    }

    private let maxBodyBytes: UInt64?
    private var state = State.size
    private var chunkSize: UInt64 = 0
    private var sizeDigits = 0
    private var remaining: UInt64 = 0
    private var bodyBytes: UInt64 = 0
    private var metadataBytes = 0

    /// - Parameter maxBodyBytes: the most data bytes accepted; nil for no limit.
    public init(maxBodyBytes: Int?) {
        self.maxBodyBytes = maxBodyBytes.map { UInt64(max(0, $0)) }
    }

    /// Consumes as much of `bytes` as it can, calling `onData` with each slice of body data
    /// (slices of `bytes`, no copies). Bytes after the end of the body are not consumed.
    public mutating func decode(
        _ bytes: UnsafeRawBufferPointer, onData: (UnsafeRawBufferPointer) -> Void
    ) throws(HTTPRequestError) -> (consumed: Int, step: ChunkedDecodeStep) {
        var index = 0
        while index < bytes.count {
            if state == .data {
                let take = Int(min(remaining, UInt64(bytes.count - index)))
                onData(bytes.slice(index..<index + take))
                index += take
                remaining -= UInt64(take)
                if remaining == 0 { state = .dataCR }
                continue
            }
            if state == .done { break }
            try step(bytes[index])
            index += 1
            if state == .done { break }
        }
        return (index, state == .done ? .finished : .needMore)
    }

    private mutating func step(_ byte: UInt8) throws(HTTPRequestError) {
        metadataBytes += 1
        if metadataBytes > Self.maxMetadataBytes {
            throw .badRequest("expected chunk metadata under \(Self.maxMetadataBytes) bytes, got more")
        }
        let isToken = ByteClass.isTokenChar(byte)
        let isSpace = ByteClass.isWhitespace(byte)
        switch state {
        case .size:
            if let digit = ByteClass.hexValue(byte) {
                guard chunkSize >> 60 == 0 else {
                    throw .badRequest("expected a chunk size that fits 64 bits, got a larger one")
                }
                chunkSize = chunkSize << 4 | UInt64(digit)
                sizeDigits += 1
            } else {
                guard sizeDigits > 0 else { throw .badRequest("expected a hex chunk size, got \(describe(byte))") }
                try afterExtensionPart(byte, isSpace: isSpace)
            }
        case .extensionSeparator:
            try afterExtensionPart(byte, isSpace: isSpace)
        case .extensionNameStart:
            if isToken {
                state = .extensionName
            } else if !isSpace {
                throw unexpected(byte, "a chunk extension name")
            }
        case .extensionName, .extensionAfterName:
            if byte == UInt8(ascii: "=") {
                state = .extensionValueStart
            } else if isSpace {
                state = .extensionAfterName
            } else if !(isToken && state == .extensionName) {
                try afterExtensionPart(byte, isSpace: false)
            }
        case .extensionValueStart:
            if byte == UInt8(ascii: "\"") {
                state = .quoted
            } else if isToken {
                state = .extensionToken
            } else if !isSpace {
                throw unexpected(byte, "a chunk extension value")
            }
        case .extensionToken:
            if !isToken { try afterExtensionPart(byte, isSpace: isSpace) }
        case .quoted:
            if byte == UInt8(ascii: "\"") {
                state = .extensionSeparator
            } else if byte == UInt8(ascii: "\\") {
                state = .quotedPair
            } else if !ByteClass.isFieldValueByte(byte) {
                throw unexpected(byte, "a quoted chunk extension value")
            }
        case .quotedPair:
            guard ByteClass.isFieldValueByte(byte) else { throw unexpected(byte, "a quoted-pair character") }
            state = .quoted
        case .sizeLF:
            guard byte == ByteClass.lf else { throw unexpected(byte, "LF after the chunk size line") }
            try startChunk()
        case .dataCR:
            guard byte == ByteClass.cr else { throw unexpected(byte, "CRLF after the chunk data") }
            state = .dataLF
        case .dataLF:
            guard byte == ByteClass.lf else { throw unexpected(byte, "CRLF after the chunk data") }
            state = .size
            metadataBytes = 0
        case .trailerLineStart:
            if byte == ByteClass.cr {
                state = .finalLF
            } else if isToken {
                state = .trailerName
            } else {
                throw unexpected(byte, "a trailer field name or CRLF")
            }
        case .trailerName:
            if byte == ByteClass.colon {
                state = .trailerValue
            } else if !isToken {
                throw unexpected(byte, "a trailer field name")
            }
        case .trailerValue:
            if byte == ByteClass.cr {
                state = .trailerLF
            } else if !ByteClass.isFieldValueByte(byte) {
                throw unexpected(byte, "a trailer field value")
            }
        case .trailerLF:
            guard byte == ByteClass.lf else { throw unexpected(byte, "LF after a trailer field") }
            state = .trailerLineStart
        case .finalLF:
            guard byte == ByteClass.lf else { throw unexpected(byte, "LF at the end of the chunked body") }
            state = .done
        case .data, .done:
            preconditionFailure("data and the end are handled by decode")
        }
    }

    /// After the size or a complete extension: more whitespace, another extension, or the line end.
    private mutating func afterExtensionPart(_ byte: UInt8, isSpace: Bool) throws(HTTPRequestError) {
        if isSpace {
            state = .extensionSeparator
        } else if byte == UInt8(ascii: ";") {
            state = .extensionNameStart
        } else if byte == ByteClass.cr {
            state = .sizeLF
        } else {
            throw unexpected(byte, "';' or CRLF after the chunk size")
        }
    }

    private mutating func startChunk() throws(HTTPRequestError) {
        let (total, overflow) = bodyBytes.addingReportingOverflow(chunkSize)
        if overflow || maxBodyBytes.map({ total > $0 }) == true { throw .payloadTooLarge }
        bodyBytes = total
        if chunkSize == 0 {
            state = .trailerLineStart
            metadataBytes = 0
        } else {
            state = .data
            remaining = chunkSize
        }
        chunkSize = 0
        sizeDigits = 0
    }

    private func unexpected(_ byte: UInt8, _ expected: String) -> HTTPRequestError {
        .badRequest("expected \(expected), got \(describe(byte))")
    }
}
