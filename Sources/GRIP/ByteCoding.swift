/// Appends the primitives of PublishCodec's layout.
struct ByteWriter {
    var output: [UInt8] = []

    mutating func u8(_ value: UInt8) { output.append(value) }

    mutating func u16(_ value: Int) {
        let value = UInt16(truncatingIfNeeded: value)
        output += [UInt8(value >> 8), UInt8(value & 0xFF)]
    }

    mutating func u32(_ value: Int) {
        let value = UInt32(truncatingIfNeeded: value)
        output += [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    mutating func bytes(_ value: [UInt8]) {
        u32(value.count)
        output += value
    }

    mutating func string(_ value: String) { bytes(Array(value.utf8)) }

    mutating func optional<T>(_ value: T?, _ write: (inout ByteWriter, T) -> Void) {
        guard let value else { return u8(0) }
        u8(1)
        write(&self, value)
    }
}

/// Reads PublishCodec's primitives; every read names its field so a bad frame says where it broke.
struct ByteReader {
    private let input: [UInt8]
    private var offset = 0

    init(_ input: [UInt8]) { self.input = input }

    var remaining: Int { input.count - offset }
    var isAtEnd: Bool { remaining == 0 }

    private mutating func take(_ count: Int, _ field: String) throws(PublishError) -> ArraySlice<UInt8> {
        guard count <= remaining else {
            throw PublishError(reason: "publish frame \(field) expected \(count) bytes at offset \(offset); got \(remaining)")
        }
        defer { offset += count }
        return input[offset..<(offset + count)]
    }

    mutating func u8(_ field: String) throws(PublishError) -> UInt8 { try take(1, field).first! }

    mutating func u16(_ field: String) throws(PublishError) -> UInt16 {
        try take(2, field).reduce(0) { $0 << 8 | UInt16($1) }
    }

    mutating func u32(_ field: String) throws(PublishError) -> Int {
        Int(try take(4, field).reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
    }

    mutating func bytes(_ field: String) throws(PublishError) -> [UInt8] {
        Array(try take(try u32("\(field) length"), field))
    }

    mutating func string(_ field: String) throws(PublishError) -> String {
        let raw = try bytes(field)
        guard let text = String(validating: raw, as: UTF8.self) else {
            throw PublishError(reason: "publish frame \(field) expected UTF-8; got invalid bytes")
        }
        return text
    }

    mutating func optional<T>(_ field: String, _ read: (inout ByteReader) throws(PublishError) -> T) throws(PublishError) -> T? {
        switch try u8("\(field) presence") {
        case 0: return nil
        case 1: return try read(&self)
        case let flag: throw PublishError(reason: "publish frame \(field) presence expected 0 or 1; got \(flag)")
        }
    }
}
