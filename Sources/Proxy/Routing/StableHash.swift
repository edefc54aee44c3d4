/// A 64-bit hash that is the same in every process, run and machine. Swift's `Hasher` is seeded
/// per process, and sticky routing must agree across workers and across Holdfast instances.
enum StableHash {
    /// FNV-1a over the UTF-8 bytes, finished by `mix` so that keys differing in one character
    /// ("user1", "user2") differ in every bit.
    static func hash(_ text: String) -> UInt64 {
        var state: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            state = (state ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        return mix(state)
    }

    /// MurmurHash3's 64-bit finalizer: a bijection in which every input bit flips each output bit
    /// with probability about 1/2.
    static func mix(_ value: UInt64) -> UInt64 {
        var bits = value
        bits ^= bits >> 33
        bits = bits &* 0xff51_afd7_ed55_8ccd
        bits ^= bits >> 33
        bits = bits &* 0xc4ce_b9fe_1a85_ec53
        bits ^= bits >> 33
        return bits
    }
}
