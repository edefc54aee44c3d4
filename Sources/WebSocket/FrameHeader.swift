/// The fixed part of a frame (RFC 6455 §5.2), as sent by a client: always masked.
struct FrameHeader: Equatable {
    var fin: Bool
    var opcode: Opcode
    var payloadLength: UInt64
    /// The masking key, first byte in the high bits.
    var mask: UInt32

    /// The masking key byte that applies to the payload byte at `offset`.
    func maskByte(at offset: UInt64) -> UInt8 {
        UInt8(truncatingIfNeeded: mask >> (24 - 8 * (offset & 3)))
    }
}

/// Reads a frame header byte by byte, so it may be split anywhere, and refuses what RFC 6455
/// forbids as soon as the byte that shows it arrives: reserved bits (no extension is ever
/// negotiated), reserved opcodes, an unmasked client frame, a fragmented or oversized control frame,
/// a 64-bit length with its top bit set. A length not written in its shortest form (a 16-bit length
/// under 126, a 64-bit one under 65,536) is refused too: §5.2 says the minimal form MUST be used,
/// and a strict parser refuses rather than guesses.
struct FrameHeaderParser {
    private var bytes: [UInt8] = []
    /// How long the header is, once its second byte says so (2 + extended length + 4 mask bytes).
    private var headerLength = 2

    init() { bytes.reserveCapacity(14) }

    /// No header is partly read.
    var isEmpty: Bool { bytes.isEmpty }

    /// The header, once `byte` completed it.
    mutating func feed(_ byte: UInt8) throws(WebSocketError) -> FrameHeader? {
        bytes.append(byte)
        switch bytes.count {
        case 1:
            guard byte & 0x70 == 0 else { throw .protocolError("reserved bits set in a frame header") }
            guard let opcode = Opcode(rawValue: byte & 0x0F) else { throw .protocolError("reserved opcode \(byte & 0x0F)") }
            if opcode.isControl && byte & 0x80 == 0 { throw .protocolError("fragmented control frame") }
            return nil
        case 2:
            guard byte & 0x80 != 0 else { throw .protocolError("unmasked frame from a client") }
            let length = byte & 0x7F
            if opcode.isControl && length > 125 { throw .protocolError("control frame payload over 125 bytes") }
            headerLength = 2 + (length == 126 ? 2 : length == 127 ? 8 : 0) + 4
            return nil
        case 3 where bytes[1] & 0x7F == 127:
            guard byte & 0x80 == 0 else { throw .protocolError("64-bit payload length with its top bit set") }
            return nil
        case headerLength:
            return try finish()
        default:
            return nil
        }
    }

    private var opcode: Opcode { Opcode(rawValue: bytes[0] & 0x0F)! }

    private mutating func finish() throws(WebSocketError) -> FrameHeader {
        defer { bytes.removeAll(keepingCapacity: true) }
        let short = UInt64(bytes[1] & 0x7F)
        let lengthBytes = headerLength - 6
        var length = short
        if lengthBytes > 0 {
            length = bytes[2..<(2 + lengthBytes)].reduce(0) { $0 << 8 | UInt64($1) }
            let minimum: UInt64 = lengthBytes == 2 ? 126 : 65536
            guard length >= minimum else { throw .protocolError("payload length \(length) not in its shortest form") }
        }
        let mask = bytes[(headerLength - 4)...].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        return FrameHeader(fin: bytes[0] & 0x80 != 0, opcode: opcode, payloadLength: length, mask: mask)
    }
}
