import Config
import EventLoop
import Logging

/// Active and passive health of the current configuration's backends, by backend name (names are what
/// stay stable across reloads; workers of older generations number their backends differently).
final class HealthChecker {
    private let monitors: [BackendMonitor]

    /// `previous` hands over the state of backends that keep their name and address across a reload,
    /// so a reload neither revives a dead backend nor takes a healthy one down.
    init(base: EventBase, backends: [BackendConfig], previous: HealthChecker?, logger: Logger, onChange: @escaping () -> Void) {
        monitors = backends.map { backend in
            let carried = previous?.monitor(named: backend.name).flatMap { $0.backend.address == backend.address ? $0.isUp : nil }
            return BackendMonitor(base: base, backend: backend, startingUp: carried ?? true, logger: logger) { _ in onChange() }
        }
    }

    func start() { monitors.forEach { $0.start() } }
    func stop() { monitors.forEach { $0.stop() } }

    /// Up flags in the order of `config.backends`; backends not checked here (removed by a reload,
    /// still used by retiring workers) count as up.
    func upFlags(for config: ProxyConfig) -> [Bool] {
        config.backends.map { monitor(named: $0.name)?.isUp ?? true }
    }

    func statuses() -> [BackendStatus] {
        monitors.map { BackendStatus(name: $0.backend.name, isUp: $0.isUp) }
    }

    func recordPassive(backendName: String, succeeded: Bool) {
        monitor(named: backendName)?.recordPassive(succeeded: succeeded)
    }

    private func monitor(named name: String) -> BackendMonitor? {
        monitors.first { $0.backend.name == name }
    }
}
