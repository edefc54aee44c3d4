/// Chunked transfer coding (RFC 9112 §7.1), the writing side: the one place a chunk is framed.
public enum ChunkedEncoder {
    /// The chunk that ends a chunked body, with an empty trailer section.
    public static let lastChunk: [UInt8] = Array("0\r\n\r\n".utf8)

    /// Appends `data` as one chunk. Empty data appends nothing: a chunk of size 0 would end the body.
    public static func append(_ data: some Collection<UInt8>, to output: inout [UInt8]) {
        guard !data.isEmpty else { return }
        output.append(contentsOf: String(data.count, radix: 16).utf8)
        output.append(contentsOf: HeadSerializer.lineEnd)
        output.append(contentsOf: data)
        output.append(contentsOf: HeadSerializer.lineEnd)
    }

    public static func append(_ data: UnsafeRawBufferPointer, to output: inout [UInt8]) {
        append(UnsafeBufferPointer(start: data.baseAddress?.assumingMemoryBound(to: UInt8.self), count: data.count), to: &output)
    }

    /// `data` as one chunk.
    public static func chunk(_ data: some Collection<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(data.count + 12)
        append(data, to: &output)
        return output
    }

    /// `data` framed for a response that is chunked or, when not, delimited by closing.
    public static func frame(_ data: [UInt8], chunked: Bool) -> [UInt8] {
        chunked ? chunk(data) : data
    }
}
