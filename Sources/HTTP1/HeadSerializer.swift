/// Builds the wire bytes of heads and chunk framing. Always HTTP/1.1.
/// Values are written as given: callers pass names and values that came from a parser or from
/// configuration, never raw client input that has not been through one.
public enum HeadSerializer {
    /// The chunk that ends a chunked body, with an empty trailer section.
    public static let lastChunk: [UInt8] = Array("0\r\n\r\n".utf8)
    /// What follows the data of each chunk.
    public static let chunkEnd: [UInt8] = [ByteClass.cr, ByteClass.lf]

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
        bytes.append(contentsOf: reason.utf8)
        bytes.append(contentsOf: chunkEnd)
        appendFields(headers, to: &bytes)
        return bytes
    }

    /// The size line that precedes `count` bytes of chunk data; follow the data with `chunkEnd`.
    /// Skip empty data: a chunk of size 0 is the last chunk and ends the body.
    public static func chunk(_ count: Int) -> [UInt8] {
        Array(String(count, radix: 16).utf8) + chunkEnd
    }

    private static func fieldsSize(_ headers: HTTPHeaders) -> Int {
        headers.fields.reduce(2) { $0 + $1.name.utf8.count + $1.value.utf8.count + 4 }
    }

    private static func appendFields(_ headers: HTTPHeaders, to bytes: inout [UInt8]) {
        for field in headers {
            bytes.append(contentsOf: field.name.utf8)
            bytes.append(contentsOf: ": ".utf8)
            bytes.append(contentsOf: field.value.utf8)
            bytes.append(contentsOf: chunkEnd)
        }
        bytes.append(contentsOf: chunkEnd)
    }
}
