import Glibc

/// How many distinct channels all workers hold together, without sending their names: each worker
/// sends a HyperLogLog sketch (4 KiB) of its channel names, the master merges them. Every worker
/// holds the channels of its own subscribers, so summing per-worker counts would count a channel
/// once per worker. Tens of channels come out exact, thousands within about 2 % (linear
/// counting), and more within about 2 % (HyperLogLog with 4,096 registers).
public struct ChannelSketch: Sendable, Equatable {
    static let registerBits = 12
    static let registerCount = 1 << registerBits
    private(set) var registers: [UInt8]

    public init() { registers = Array(repeating: 0, count: Self.registerCount) }

    init(registers: [UInt8]) { self.registers = registers }

    public mutating func add(_ channel: String) {
        let hash = StableHash.hash(channel)
        let index = Int(hash >> UInt64(64 - Self.registerBits))
        // Rank of the first 1 bit in the remaining bits (1-based); all zero counts as the maximum.
        let rest = hash << UInt64(Self.registerBits)
        let rank = UInt8(min(rest.leadingZeroBitCount, 64 - Self.registerBits) + 1)
        registers[index] = max(registers[index], rank)
    }

    public mutating func merge(_ other: ChannelSketch) {
        for index in registers.indices { registers[index] = max(registers[index], other.registers[index]) }
    }

    public var estimate: Int {
        let m = Double(Self.registerCount)
        let empty = registers.reduce(0) { $0 + ($1 == 0 ? 1 : 0) }
        let raw = 0.7213 / (1 + 1.079 / m) * m * m / registers.reduce(0.0) { $0 + pow(2, -Double($1)) }
        if raw <= 2.5 * m && empty > 0 {
            return Int((m * log(m / Double(empty))).rounded())
        }
        return Int(raw.rounded())
    }
}
