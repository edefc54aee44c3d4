/// A syntax error common to requests and responses; each parser maps it to its own error type.
struct HeadSyntaxError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

/// A byte as it should appear in an error message.
func describe(_ byte: UInt8) -> String {
    (0x21...0x7E).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
}

/// Received bytes as they should appear in an error message: quoted, and cut short so that
/// a hostile line cannot flood the log.
func quoted(_ bytes: UnsafeRawBufferPointer) -> String {
    let shown = String(decoding: bytes.prefix(64), as: UTF8.self)
    return "\"\(shown)\(bytes.count > 64 ? "..." : "")\""
}
