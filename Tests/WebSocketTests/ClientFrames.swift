@testable import WebSocket

/// Builds frames as a client sends them (masked), with every field under the test's control.
enum ClientFrames {
    enum LengthForm { case minimal, sixteenBit, sixtyFourBit }

    static let mask: [UInt8] = [0x37, 0xFA, 0x21, 0x3D]

    static func frame(_ opcode: UInt8, _ payload: [UInt8], fin: Bool = true, masked: Bool = true, rsv: UInt8 = 0,
                      length form: LengthForm = .minimal) -> [UInt8] {
        var out: [UInt8] = [(fin ? 0x80 : 0) | rsv << 4 | opcode]
        let maskBit: UInt8 = masked ? 0x80 : 0
        let count = payload.count
        switch form == .minimal ? (count < 126 ? LengthForm.minimal : count < 65536 ? .sixteenBit : .sixtyFourBit) : form {
        case .minimal:
            out.append(maskBit | UInt8(count))
        case .sixteenBit:
            out += [maskBit | 126, UInt8(count >> 8), UInt8(count & 0xFF)]
        case .sixtyFourBit:
            out.append(maskBit | 127)
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: UInt64(count) >> UInt64(shift))) }
        }
        guard masked else { return out + payload }
        out += mask
        return out + payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
    }

    static func text(_ text: String, fin: Bool = true) -> [UInt8] { frame(0x1, Array(text.utf8), fin: fin) }
    static func close(_ code: UInt16, _ reason: [UInt8] = []) -> [UInt8] { frame(0x8, [UInt8(code >> 8), UInt8(code & 0xFF)] + reason) }
}

extension FrameReader {
    /// Reads `bytes` delivered in the pieces that `cuts` (ascending offsets) make.
    mutating func read(_ bytes: [UInt8], cutAt cuts: [Int] = []) throws -> [WebSocketEvent] {
        var events: [WebSocketEvent] = []
        var start = 0
        for end in cuts + [bytes.count] {
            let piece = Array(bytes[start..<end])
            events += try piece.withUnsafeBytes { try read($0) }
            start = end
        }
        return events
    }
}
