/// HTTP-version = "HTTP/" DIGIT "." DIGIT (RFC 9112 §2.3).
enum VersionSyntax {
    enum Parsed: Equatable {
        case supported(HTTPVersion)
        /// Well formed, but not 1.0 or 1.1.
        case unsupported
    }

    static func parse(_ bytes: UnsafeRawBufferPointer) throws(HeadSyntaxError) -> Parsed {
        guard bytes.count == 8, bytes.slice(0..<5).elementsEqual("HTTP/".utf8),
              ByteClass.isDigit(bytes[5]), bytes[6] == UInt8(ascii: "."), ByteClass.isDigit(bytes[7]) else {
            throw HeadSyntaxError("expected an HTTP version like \"HTTP/1.1\", got \(quoted(bytes))")
        }
        switch (bytes[5], bytes[7]) {
        case (UInt8(ascii: "1"), UInt8(ascii: "0")): return .supported(.http10)
        case (UInt8(ascii: "1"), UInt8(ascii: "1")): return .supported(.http11)
        default: return .unsupported
        }
    }
}
