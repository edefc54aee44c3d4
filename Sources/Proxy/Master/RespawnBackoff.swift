/// How long to wait before replacing a worker that died. A worker that keeps dying soon after it
/// started is replaced at most once per `interval`, which doubles from 100 ms up to 5 s; one that ran
/// for a while is replaced at once and the interval starts over.
struct RespawnBackoff: Equatable {
    static let initialInterval = Duration.milliseconds(100)
    static let maxInterval = Duration.seconds(5)
    /// A worker that lived this long is taken to be healthy: its death is an accident, not a crash loop.
    static let stableLifetime = Duration.seconds(10)

    private(set) var interval = initialInterval

    /// The delay before respawning a worker that lived `lifetime`.
    mutating func delay(afterLifetime lifetime: Duration) -> Duration {
        guard lifetime < Self.stableLifetime else {
            interval = Self.initialInterval
            return .zero
        }
        let wait = max(.zero, interval - lifetime)
        interval = min(interval * 2, Self.maxInterval)
        return wait
    }
}
