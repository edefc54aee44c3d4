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
        var bytes: [UInt8] = []
        bytes.reserveCapacity(method.utf8.count + target.utf8.count + 12 + fieldsSize(headers))
        bytes.append(contentsOf: method.utf8)
        bytes.append(ByteClass.space)
        bytes.append(contentsOf: target.utf8)
        bytes.append(contentsOf: " HTTP/1.1\r\n".utf8)
        appendFields(headers, to: &bytes)
        return bytes
    }

    public static func response(status: Int, reason: String, headers: HTTPHeaders) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(reason.utf8.count + 15 + fieldsSize(headers))
        bytes.append(contentsOf: "HTTP/1.1 ".utf8)
        bytes.append(contentsOf: String(status).utf8)
        bytes.append(ByteClass.space)
        if reason.utf8.allSatisfy(ByteClass.isFieldValueByte) { bytes.append(contentsOf: reason.utf8) }
        bytes.append(contentsOf: lineEnd)
        appendFields(headers, to: &bytes)
        return bytes
    }

    /// Whether a field can be sent as is: the name a token, the value free of control characters
    /// other than HTAB and without surrounding whitespace (RFC 9110 §5.1, §5.5).
    public static func isValidField(name: String, value: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy(ByteClass.isTokenChar)
            && value.utf8.allSatisfy(ByteClass.isFieldValueByte)
            && !(value.utf8.first.map(ByteClass.isWhitespace) ?? false)
            && !(value.utf8.last.map(ByteClass.isWhitespace) ?? false)
    }

    private static func fieldsSize(_ headers: HTTPHeaders) -> Int {
        headers.fields.reduce(2) { $0 + $1.name.utf8.count + $1.value.utf8.count + 4 }
    }

    private static func appendFields(_ headers: HTTPHeaders, to bytes: inout [UInt8]) {
        for field in headers where isValidField(name: field.name, value: field.value) {
            bytes.append(contentsOf: field.name.utf8)
            bytes.append(contentsOf: ": ".utf8)
            bytes.append(contentsOf: field.value.utf8)
            bytes.append(contentsOf: lineEnd)
        }
        bytes.append(contentsOf: lineEnd)
    }
}
