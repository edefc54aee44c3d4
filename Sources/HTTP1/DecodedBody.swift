/// Follows a message body to its end, whatever its framing, handing out the decoded data: a
/// backend's response on its way to a client, a request to the control listener.
public struct DecodedBody {
    private enum Framing {
        case length(remaining: UInt64)
        case chunked(ChunkedDecoder)
        case untilClose
        case done
    }

    private var framing: Framing

    /// `maxBodyBytes` bounds a chunked body (a declared length is checked with the head).
    public init(_ framing: BodyFraming, maxBodyBytes: Int? = nil) {
        switch framing {
        case let .contentLength(length) where length > 0: self.framing = .length(remaining: length)
        case .chunked: self.framing = .chunked(ChunkedDecoder(maxBodyBytes: maxBodyBytes))
        case .untilClose: self.framing = .untilClose
        default: self.framing = .done
        }
    }

    public var isComplete: Bool {
        if case .done = framing { return true }
        return false
    }

    public var endsWithClose: Bool {
        if case .untilClose = framing { return true }
        return false
    }

    /// Consumes body bytes: `onData` gets the decoded data.
    /// Returns how many bytes belonged to the body; the body is complete when `isComplete`.
    public mutating func consume(_ bytes: UnsafeRawBufferPointer, onData: (UnsafeRawBufferPointer) -> Void) throws(HTTPRequestError) -> Int {
        switch framing {
        case .done:
            return 0
        case .untilClose:
            onData(bytes)
            return bytes.count
        case let .length(remaining):
            let taken = Int(min(UInt64(bytes.count), remaining))
            onData(UnsafeRawBufferPointer(rebasing: bytes[..<taken]))
            framing = UInt64(taken) == remaining ? .done : .length(remaining: remaining - UInt64(taken))
            return taken
        case var .chunked(decoder):
            let (consumed, step) = try decoder.decode(bytes, onData: onData)
            framing = step == .finished ? .done : .chunked(decoder)
            return consumed
        }
    }

    /// The backend closed: complete for a close-delimited body, truncated otherwise.
    public mutating func endOfInput() -> Bool {
        guard endsWithClose else { return isComplete }
        framing = .done
        return true
    }
}
