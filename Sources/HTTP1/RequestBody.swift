/// The request body on its way from client to backend, re-framed as it passes: a Content-Length
/// body as is, a chunked body decoded, checked and re-encoded (so no framing trick reaches a backend).
public struct RequestBody {
    private enum Framing {
        case none
        case length(remaining: UInt64)
        case chunked(ChunkedDecoder)
    }

    private var framing: Framing
    public private(set) var isComplete: Bool

    public init(_ framing: BodyFraming, maxBodyBytes: Int) {
        switch framing {
        case let .contentLength(length) where length > 0:
            self.framing = .length(remaining: length)
            isComplete = false
        case .chunked:
            self.framing = .chunked(ChunkedDecoder(maxBodyBytes: maxBodyBytes))
            isComplete = false
        default:
            self.framing = .none
            isComplete = true
        }
    }

    /// The framing the backend sees.
    public static func upstreamFraming(_ framing: BodyFraming) -> BodyFraming {
        switch framing {
        case let .contentLength(length) where length > 0: framing
        case .chunked: .chunked
        default: .none
        }
    }

    /// Consumes body bytes from `bytes`, appending their upstream encoding to `output`;
    /// returns how many bytes were body (the rest belongs to the next request).
    public mutating func consume(_ bytes: UnsafeRawBufferPointer, into output: inout [UInt8]) throws(HTTPRequestError) -> Int {
        switch framing {
        case .none:
            return 0
        case let .length(remaining):
            let taken = Int(min(UInt64(bytes.count), remaining))
            output.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[..<taken]))
            framing = .length(remaining: remaining - UInt64(taken))
            isComplete = remaining == UInt64(taken)
            return taken
        case var .chunked(decoder):
            let (consumed, step) = try decoder.decode(bytes) { ChunkedEncoder.append($0, to: &output) }
            framing = .chunked(decoder)
            if case .finished = step {
                output.append(contentsOf: ChunkedEncoder.lastChunk)
                isComplete = true
            }
            return consumed
        }
    }
}
