/// One backend's health as the rise/fall counters decide it (docs/configuration.md, `[backend.health]`). Pure: the checker feeds it
/// outcomes of active checks and passive reports from workers, and acts on the transitions it returns.
struct BackendHealthState: Equatable {
    enum Transition: Equatable {
        case wentUp
        case wentDown
    }

    let rise: Int
    let fall: Int
    /// A fresh start serves at once; the first failed checks take a dead backend down.
    private(set) var isUp: Bool
    private(set) var consecutiveFailures = 0
    private(set) var consecutiveSuccesses = 0

    init(rise: Int, fall: Int, isUp: Bool = true) {
        self.rise = max(1, rise)
        self.fall = max(1, fall)
        self.isUp = isUp
    }

    /// An active check passed.
    mutating func recordSuccess() -> Transition? {
        consecutiveFailures = 0
        consecutiveSuccesses += 1
        guard !isUp, consecutiveSuccesses >= rise else { return nil }
        isUp = true
        return .wentUp
    }

    /// An active check failed, or a worker could not use the backend (passive): both count alike.
    mutating func recordFailure() -> Transition? {
        consecutiveSuccesses = 0
        consecutiveFailures += 1
        guard isUp, consecutiveFailures >= fall else { return nil }
        isUp = false
        return .wentDown
    }

    /// A worker used the backend successfully. That breaks a run of failures, but only active checks
    /// bring a down backend back: workers send it no traffic while it is down.
    mutating func recordPassiveSuccess() {
        consecutiveFailures = 0
    }
}
