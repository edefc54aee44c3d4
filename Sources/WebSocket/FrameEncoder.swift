/// Frames as a server sends them (RFC 6455 §5.2): never masked, the length in its shortest form.
public enum FrameEncoder {
    public static func frame(_ opcode: Opcode, payload: some Collection<UInt8>, fin: Bool = true) -> [UInt8] {
        var out: [UInt8] = [(fin ? 0x80 : 0) | opcode.rawValue]
        let length = payload.count
        out.reserveCapacity(length + 10)
        switch length {
        case ..<126:
            out.append(UInt8(length))
        case ..<65536:
            out.append(126)
            out += [UInt8(length >> 8), UInt8(length & 0xFF)]
        default:
            out.append(127)
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: UInt64(length) >> UInt64(shift))) }
        }
        out += payload
        return out
    }

    /// A close frame with `code` and as much of `reason` as fits a control frame (123 bytes),
    /// cut on a character boundary.
    public static func close(code: UInt16, reason: String = "") -> [UInt8] {
        var payload = [UInt8(code >> 8), UInt8(code & 0xFF)]
        var kept = Substring(reason)
        while kept.utf8.count > 123 { kept = kept.dropLast() }
        payload += kept.utf8
        return frame(.close, payload: payload)
    }
}
