extension Duration {
    /// Whole milliseconds, rounded down: the one conversion that every deadline, pool queue and
    /// history TTL uses (sub-second values stay sub-second).
    public var milliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }
}
