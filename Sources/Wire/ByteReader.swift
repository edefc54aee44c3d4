/// A frame that does not decode: which field broke and why. Never a trap: frames come from
/// another process, and a corrupt one is logged and dropped.
public struct WireError: Error, Equatable {
    public let reason: String
    public init(reason: String) { self.reason = reason }
}

/// Reads what `ByteWriter` wrote. Every read names its field and checks what is left, so an
/// overrun, a count larger than the frame or bytes that are not UTF-8 become a `WireError`.
public struct ByteReader {
    private let input: [UInt8]
    private var offset = 0

    public init(_ input: [UInt8]) { self.input = input }

    public var remaining: Int { input.count - offset }
    public var isAtEnd: Bool { remaining == 0 }

    private mutating func take(_ count: Int, _ field: String) throws(WireError) -> ArraySlice<UInt8> {
        guard count <= remaining else {
            throw WireError(reason: "\(field) expected \(count) bytes at offset \(offset); got \(remaining)")
        }
        defer { offset += count }
        return input[offset..<(offset + count)]
    }

    private mutating func unsigned(width: Int, _ field: String) throws(WireError) -> UInt64 {
        try take(width, field).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }

    public mutating func u8(_ field: String) throws(WireError) -> UInt8 { try take(1, field).first! }

    public mutating func u16(_ field: String) throws(WireError) -> Int { Int(try unsigned(width: 2, field)) }

    public mutating func u32(_ field: String) throws(WireError) -> Int { Int(try unsigned(width: 4, field)) }

    public mutating func u64(_ field: String) throws(WireError) -> UInt64 { try unsigned(width: 8, field) }

    public mutating func int(_ field: String) throws(WireError) -> Int { Int(Int64(bitPattern: try u64(field))) }

    public mutating func bool(_ field: String) throws(WireError) -> Bool {
        switch try u8(field) {
        case 0: return false
        case 1: return true
        case let flag: throw WireError(reason: "\(field) expected 0 or 1; got \(flag)")
        }
    }

    /// A count of elements that follow, each at least `minimumElementBytes` long: a corrupt count
    /// fails here instead of looping or allocating for elements the frame cannot hold.
    public mutating func count(_ field: String, minimumElementBytes: Int = 1) throws(WireError) -> Int {
        let count = try u32(field)
        guard count <= remaining / max(1, minimumElementBytes) else {
            throw WireError(reason: "\(field) expected at most \(remaining / max(1, minimumElementBytes)) elements; got \(count)")
        }
        return count
    }

    public mutating func bytes(_ field: String) throws(WireError) -> [UInt8] {
        Array(try take(try u32("\(field) length"), field))
    }

    public mutating func string(_ field: String) throws(WireError) -> String {
        let raw = try bytes(field)
        guard let text = String(validating: raw, as: UTF8.self) else {
            throw WireError(reason: "\(field) expected UTF-8; got invalid bytes")
        }
        return text
    }

    public mutating func optional<T>(_ field: String, _ read: (inout ByteReader) throws(WireError) -> T) throws(WireError) -> T? {
        switch try u8("\(field) presence") {
        case 0: return nil
        case 1: return try read(&self)
        case let flag: throw WireError(reason: "\(field) presence expected 0 or 1; got \(flag)")
        }
    }

    /// Nothing may follow the last field.
    public func expectEnd(after fields: String) throws(WireError) {
        guard isAtEnd else { throw WireError(reason: "expected to end after \(fields); got \(remaining) more bytes") }
    }
}
