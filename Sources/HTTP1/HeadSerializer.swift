/// Builds the wire bytes of heads and chunk framing. Always HTTP/1.1.
/// No field or reason phrase can break the framing of the message: a field that `isValidField`
/// refuses is left out, and a reason phrase with a control character is sent empty. Callers that
/// take fields from outside (a publish request) check them with `isValidField` first and refuse
/// them there, where the error can be reported. Method and target are written as given: they
/// come from a parsed request.
public enum HeadSerializer {
    /// CRLF, the end of every line of a head and of every chunk.
    public static let lineEnd: [UInt8] = [ByteClass.cr, ByteClass.lf]

    public static func request(method: String, target: String, headers: HTTPHeaders) -> [UInt8] {
        var writer = HeadWriter(method: method, target: target, fieldBytes: HeadWriter.size(of: headers))
        writer.add(headers)
        return writer.finished()
    }

    public static func response(status: Int, reason: String, headers: HTTPHeaders) -> [UInt8] {
        var writer = HeadWriter(status: status, reason: reason, fieldBytes: HeadWriter.size(of: headers))
        writer.add(headers)
        return writer.finished()
    }

    /// Whether a field can be sent as is: the name a token, the value free of control characters
    /// other than HTAB and without surrounding whitespace (RFC 9110 §5.1, §5.5).
    public static func isValidField(name: String, value: String) -> Bool {
        var name = name, value = value
        return name.withUTF8(isValidName) && value.withUTF8(isValidValue)
    }

    // On the bytes in place: every field of every head written passes through these.
    static func isValidName(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
        !name.isEmpty && name.allSatisfy(ByteClass.isTokenChar)
    }

    static func isValidValue(_ value: UnsafeBufferPointer<UInt8>) -> Bool {
        value.allSatisfy(ByteClass.isFieldValueByte)
            && !(value.first.map(ByteClass.isWhitespace) ?? false) && !(value.last.map(ByteClass.isWhitespace) ?? false)
    }
}
