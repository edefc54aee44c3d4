/// What the fields that decide body framing and connection reuse said (RFC 9112 §6, §9.3).
struct FramingFields {
    var contentLength: UInt64?
    var transferCodings = TransferCodings()
    var hasTransferEncoding = false
    var hostCount = 0
    /// Where the first Host value is in the head.
    var hostValue: Range<Int>?
    var connectionClose = false
    var connectionKeepAlive = false

    mutating func note(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer,
                       valueRange: Range<Int>) throws(HeadSyntaxError) {
        switch name.count {
        case 4 where name.equalsCaseInsensitive("host"):
            hostCount += 1
            if hostValue == nil { hostValue = valueRange }
        case 10 where name.equalsCaseInsensitive("connection"):
            try ListSyntax.forEachElement(of: value) { (option) throws(HeadSyntaxError) in
                guard option.allSatisfy(ByteClass.isTokenChar) else {
                    throw HeadSyntaxError("expected Connection options to be tokens, got \(quoted(option))")
                }
                if option.equalsCaseInsensitive("close") { connectionClose = true }
                if option.equalsCaseInsensitive("keep-alive") { connectionKeepAlive = true }
            }
        case 14 where name.equalsCaseInsensitive("content-length"):
            guard contentLength == nil else {
                throw HeadSyntaxError("expected one Content-Length field, got several")
            }
            contentLength = try Self.parseContentLength(value)
        case 17 where name.equalsCaseInsensitive("transfer-encoding"):
            hasTransferEncoding = true
            try ListSyntax.forEachElement(of: value) { (coding) throws(HeadSyntaxError) in
                try transferCodings.add(coding)
            }
        default:
            break
        }
    }

    /// Content-Length is 1*DIGIT; a list, a sign or anything else is refused, not guessed at.
    static func parseContentLength(_ value: UnsafeRawBufferPointer) throws(HeadSyntaxError) -> UInt64 {
        guard !value.isEmpty else { throw HeadSyntaxError("expected digits in Content-Length, got an empty value") }
        var length: UInt64 = 0
        for byte in value {
            guard ByteClass.isDigit(byte) else {
                throw HeadSyntaxError("expected only digits in Content-Length, got \(describe(byte))")
            }
            let (times10, overflow1) = length.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(byte - 0x30))
            guard !overflow1, !overflow2 else {
                throw HeadSyntaxError("expected a Content-Length that fits 64 bits, got a larger one")
            }
            length = sum
        }
        return length
    }

    /// True when the connection stays open after this message (RFC 9112 §9.3).
    func keepAlive(version: HTTPVersion) -> Bool {
        switch version {
        case .http10: connectionKeepAlive && !connectionClose
        case .http11: !connectionClose
        }
    }
}

/// The transfer codings listed by all Transfer-Encoding fields, in order.
struct TransferCodings {
    enum Verdict: Equatable {
        case chunked
        /// `chunked` missing from the end, or applied twice: the body length cannot be known.
        case chunkedNotFinal
        /// Codings other than `chunked`, which we do not decode (this includes `gzip, chunked`).
        case unsupported
    }

    private var count = 0
    private var chunkedCount = 0
    private var lastIsChunked = false
    private var hasOthers = false

    mutating func add(_ coding: UnsafeRawBufferPointer) throws(HeadSyntaxError) {
        var nameEnd = 0
        while nameEnd < coding.count, ByteClass.isTokenChar(coding[nameEnd]) { nameEnd += 1 }
        var afterName = nameEnd
        while afterName < coding.count, ByteClass.isWhitespace(coding[afterName]) { afterName += 1 }
        guard nameEnd > 0, afterName == coding.count || coding[afterName] == UInt8(ascii: ";") else {
            throw HeadSyntaxError("expected a transfer coding name, got \(quoted(coding))")
        }
        count += 1
        // chunked takes no parameters, so "chunked;x=y" is some other, unknown coding.
        lastIsChunked = nameEnd == coding.count && coding.equalsCaseInsensitive("chunked")
        if lastIsChunked { chunkedCount += 1 } else { hasOthers = true }
    }

    var verdict: Verdict {
        if count == 0 || chunkedCount > 1 || (chunkedCount == 1 && !lastIsChunked) { return .chunkedNotFinal }
        return hasOthers ? .unsupported : .chunked
    }
}

/// The `#element` list rule of RFC 9110 §5.6.1: comma separated, optional whitespace, empty elements ignored.
enum ListSyntax {
    static func forEachElement<Failure: Error>(of value: UnsafeRawBufferPointer,
                                               _ body: (UnsafeRawBufferPointer) throws(Failure) -> Void) throws(Failure) {
        var start = 0
        while start <= value.count {
            var end = start
            while end < value.count, value[end] != UInt8(ascii: ",") { end += 1 }
            var first = start, last = end
            while first < last, ByteClass.isWhitespace(value[first]) { first += 1 }
            while last > first, ByteClass.isWhitespace(value[last - 1]) { last -= 1 }
            if first < last { try body(value.slice(first..<last)) }
            start = end + 1
        }
    }
}
