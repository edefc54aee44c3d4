/// A response head arriving over several reads: keeps the bytes until the head is whole, parses
/// it, and hands back what followed it; then starts over for the next head (after a `1xx`).
public struct ResponseHeadCollector: Sendable {
    private let maxHeadBytes: Int
    private let requestMethod: String
    private var parser: ResponseHeadParser
    private var buffer: [UInt8] = []

    public init(maxHeadBytes: Int, requestMethod: String) {
        self.maxHeadBytes = maxHeadBytes
        self.requestMethod = requestMethod
        parser = ResponseHeadParser(maxHeadBytes: maxHeadBytes, requestMethod: requestMethod)
    }

    /// Whether any byte of a head arrived since the last one (or the start).
    public var hasBytes: Bool { !buffer.isEmpty }

    /// The head and the bytes after it once the head is whole; nil while more is needed.
    public mutating func take(_ bytes: UnsafeRawBufferPointer) throws(HTTPResponseError) -> (head: ResponseHead, rest: [UInt8])? {
        buffer.append(contentsOf: bytes)
        var parser = self.parser
        let parsed = buffer.withUnsafeBytes { whole in
            Result { () throws(HTTPResponseError) in try parser.parse(whole) }
        }
        self.parser = parser
        guard case let .complete(head, headLength) = try parsed.get() else { return nil }
        let rest = Array(buffer[headLength...])
        reset()
        return (head, rest)
    }

    /// Forgets what arrived: the next byte starts a new head.
    public mutating func reset() {
        parser = ResponseHeadParser(maxHeadBytes: maxHeadBytes, requestMethod: requestMethod)
        buffer = []
    }
}
