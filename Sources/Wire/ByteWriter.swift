/// Appends big-endian integers, length-prefixed bytes and optionals: the one binary layout of
/// master↔worker frames, publish frames and the frame link's length prefix.
public struct ByteWriter {
    public private(set) var output: [UInt8] = []

    public init() {}

    public mutating func u8(_ value: UInt8) { output.append(value) }

    public mutating func u16(_ value: Int) { append(UInt64(UInt16(truncatingIfNeeded: value)), width: 2) }

    public mutating func u32(_ value: Int) { append(UInt64(UInt32(truncatingIfNeeded: value)), width: 4) }

    public mutating func u64(_ value: UInt64) { append(value, width: 8) }

    /// A signed integer, as 64-bit two's complement.
    public mutating func int(_ value: Int) { u64(UInt64(bitPattern: Int64(value))) }

    public mutating func bool(_ value: Bool) { u8(value ? 1 : 0) }

    /// How many elements follow; `ByteReader.count` checks it against what is left.
    public mutating func count(_ value: Int) { u32(value) }

    /// A u32 length, then the bytes.
    public mutating func bytes(_ value: [UInt8]) {
        u32(value.count)
        output += value
    }

    public mutating func string(_ value: String) { bytes(Array(value.utf8)) }

    /// u8 0 for nil, else u8 1 and the value.
    public mutating func optional<T>(_ value: T?, _ write: (inout ByteWriter, T) -> Void) {
        guard let value else { return u8(0) }
        u8(1)
        write(&self, value)
    }

    private mutating func append(_ value: UInt64, width: Int) {
        for index in stride(from: width - 1, through: 0, by: -1) {
            output.append(UInt8(truncatingIfNeeded: value >> UInt64(index * 8)))
        }
    }
}
