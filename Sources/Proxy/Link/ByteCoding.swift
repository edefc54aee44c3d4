/// Appends fixed-width integers and length-prefixed strings: the encoding of master↔worker frames.
struct ByteWriter {
    private(set) var bytes: [UInt8] = []

    mutating func write(_ value: UInt8) { bytes.append(value) }

    mutating func write(_ value: UInt64) {
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    mutating func write(_ value: Int) { write(UInt64(bitPattern: Int64(value))) }

    mutating func write(_ value: Bool) { write(value ? 1 as UInt8 : 0) }

    mutating func write(_ value: String) { write(Array(value.utf8)) }

    mutating func write(_ value: [UInt8]) {
        write(value.count)
        bytes.append(contentsOf: value)
    }
}

public struct FrameDecodingError: Error {}

/// Reads what `ByteWriter` wrote; any overrun is a `FrameDecodingError`.
struct ByteReader {
    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { offset == bytes.count }

    mutating func readByte() throws(FrameDecodingError) -> UInt8 {
        guard offset < bytes.count else { throw FrameDecodingError() }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func readUInt64() throws(FrameDecodingError) -> UInt64 {
        var value: UInt64 = 0
        for _ in 0..<8 { value = value << 8 | UInt64(try readByte()) }
        return value
    }

    mutating func readInt() throws(FrameDecodingError) -> Int { Int(Int64(bitPattern: try readUInt64())) }

    mutating func readBool() throws(FrameDecodingError) -> Bool { try readByte() != 0 }

    mutating func readBytes() throws(FrameDecodingError) -> [UInt8] {
        let count = try readInt()
        guard count >= 0, count <= bytes.count - offset else { throw FrameDecodingError() }
        defer { offset += count }
        return Array(bytes[offset..<(offset + count)])
    }

    mutating func readString() throws(FrameDecodingError) -> String { String(decoding: try readBytes(), as: UTF8.self) }
}
