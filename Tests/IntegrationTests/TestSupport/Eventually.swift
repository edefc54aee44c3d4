import Glibc

struct ConditionTimeout: Error, CustomStringConvertible {
    let condition: String
    let timeout: Duration
    let lastError: (any Error)?
    var description: String {
        "timed out after \(timeout) waiting until \(condition)" + (lastError.map { " (last error: \($0))" } ?? "")
    }
}

/// Polls `condition` every `interval` until it holds; throws `ConditionTimeout` after `timeout`.
/// For conditions nothing can be awaited on (a process appearing, a counter reaching a value).
/// Errors thrown by `condition` count as "not yet" and the last one is reported on timeout.
func eventually(_ condition: String, timeout: Duration = .seconds(5), interval: Duration = .milliseconds(20),
                _ check: () throws -> Bool) throws {
    let deadline = ContinuousClock.now + timeout
    var lastError: (any Error)?
    while true {
        do {
            if try check() { return }
        } catch {
            lastError = error
        }
        if ContinuousClock.now >= deadline { throw ConditionTimeout(condition: condition, timeout: timeout, lastError: lastError) }
        usleep(UInt32(interval.milliseconds * 1000))
    }
}

/// How long `body` took.
func timed<T>(_ body: () throws -> T) rethrows -> (result: T, elapsed: Duration) {
    let start = ContinuousClock.now
    let result = try body()
    return (result, ContinuousClock.now - start)
}
