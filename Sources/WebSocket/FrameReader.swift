/// Turns a client's bytes, split anywhere, into checked messages and control frames
/// (RFC 6455 §5–§8): fragments are reassembled (control frames may come between them), a text
/// message is checked to be UTF-8 as its bytes arrive, a message may not pass `maxMessageBytes`
/// (1009), and a close frame's code and reason are checked. No I/O: bytes in, events or an error
/// (with the close code to answer) out. After a close frame nothing more is read; after an error
/// the reader is spent.
public struct FrameReader {
    public let maxMessageBytes: Int
    private var headerParser = FrameHeaderParser()
    /// The frame whose payload is arriving; nil while a header is.
    private var frame: FrameHeader?
    private var payloadOffset: UInt64 = 0
    private var controlPayload: [UInt8] = []
    /// The data message being assembled, and its kind (text or binary) while it lasts.
    private var message: [UInt8] = []
    private var messageOpcode: Opcode?
    private var utf8 = UTF8Validator()
    /// The peer sent its close frame: the connection is over for it.
    public private(set) var closeReceived = false
    /// Frames read to their end so far (each fragment and control frame is one), for the metrics.
    public private(set) var framesRead = 0

    public init(maxMessageBytes: Int) {
        self.maxMessageBytes = maxMessageBytes
    }

    /// Nothing is partly read (no frame, no fragmented message): a fresh reader would do as well,
    /// so a caller holding many idle connections may drop this one.
    public var isAtMessageBoundary: Bool { frame == nil && messageOpcode == nil && headerParser.isEmpty }

    /// What `bytes` completed, in order.
    public mutating func read(_ bytes: UnsafeRawBufferPointer) throws(WebSocketError) -> [WebSocketEvent] {
        var events: [WebSocketEvent] = []
        var index = 0
        while index < bytes.count && !closeReceived {
            guard let frame else {
                let byte = bytes[index]
                index += 1
                if let header = try headerParser.feed(byte) {
                    try begin(header)
                    if header.payloadLength == 0 { try finishFrame(header, into: &events) }
                }
                continue
            }
            let take = Int(min(UInt64(bytes.count - index), frame.payloadLength - payloadOffset))
            try takePayload(UnsafeRawBufferPointer(rebasing: bytes[index..<(index + take)]), of: frame)
            index += take
            if payloadOffset == frame.payloadLength { try finishFrame(frame, into: &events) }
        }
        return events
    }

    private mutating func begin(_ header: FrameHeader) throws(WebSocketError) {
        switch header.opcode {
        case .close, .ping, .pong:
            controlPayload.removeAll(keepingCapacity: true)
        case .continuation:
            guard messageOpcode != nil else { throw .protocolError("continuation frame without a message to continue") }
        case .text, .binary:
            guard messageOpcode == nil else { throw .protocolError("new message before the previous one ended") }
            messageOpcode = header.opcode
            utf8 = UTF8Validator()
        }
        if !header.opcode.isControl && UInt64(message.count) + header.payloadLength > UInt64(maxMessageBytes) {
            throw WebSocketError(closeCode: CloseCode.messageTooBig, reason: "message over \(maxMessageBytes) bytes")
        }
        frame = header
        payloadOffset = 0
    }

    private mutating func takePayload(_ bytes: UnsafeRawBufferPointer, of header: FrameHeader) throws(WebSocketError) {
        let start = message.count
        for byte in bytes {
            let plain = byte ^ header.maskByte(at: payloadOffset)
            payloadOffset += 1
            if header.opcode.isControl { controlPayload.append(plain) } else { message.append(plain) }
        }
        if messageOpcode == .text && !header.opcode.isControl && !utf8.validate(message[start...]) {
            throw WebSocketError(closeCode: CloseCode.invalidPayload, reason: "text message is not UTF-8")
        }
    }

    private mutating func finishFrame(_ header: FrameHeader, into events: inout [WebSocketEvent]) throws(WebSocketError) {
        frame = nil
        framesRead += 1
        switch header.opcode {
        case .ping:
            events.append(.ping(controlPayload))
        case .pong:
            events.append(.pong(controlPayload))
        case .close:
            events.append(try closeEvent())
            closeReceived = true
        case .continuation, .text, .binary:
            guard header.fin else { return }
            if messageOpcode == .text {
                guard utf8.isAtBoundary else {
                    throw WebSocketError(closeCode: CloseCode.invalidPayload, reason: "text message ends inside a character")
                }
                events.append(.text(message))
            } else {
                events.append(.binary(message))
            }
            messageOpcode = nil
            message = []
        }
    }

    /// A close payload is empty, or a valid code and a UTF-8 reason (§5.5.1, §7.4).
    private func closeEvent() throws(WebSocketError) -> WebSocketEvent {
        guard !controlPayload.isEmpty else { return .close(code: nil, reason: "") }
        guard controlPayload.count >= 2 else { throw .protocolError("close payload of one byte") }
        let code = UInt16(controlPayload[0]) << 8 | UInt16(controlPayload[1])
        guard CloseCode.isValidOnWire(code) else { throw .protocolError("close code \(code) may not be sent") }
        let reason = controlPayload[2...]
        var validator = UTF8Validator()
        guard validator.validate(reason), validator.isAtBoundary else {
            throw WebSocketError(closeCode: CloseCode.invalidPayload, reason: "close reason is not UTF-8")
        }
        return .close(code: code, reason: String(decoding: reason, as: UTF8.self))
    }
}
