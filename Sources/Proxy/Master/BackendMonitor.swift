import Config
import EventLoop
import Logging

/// Checks one backend every `health.interval` and keeps its rise/fall state; reports state changes.
final class BackendMonitor {
    let backend: BackendConfig
    private(set) var state: BackendHealthState
    private let base: EventBase
    private let logger: Logger
    private let onChange: (Bool) -> Void
    private var address: SocketAddress?
    private var probe: HealthProbe?
    private lazy var ticker = Timer(base: base) { [unowned self] in check() }

    init(base: EventBase, backend: BackendConfig, startingUp isUp: Bool, logger: Logger, onChange: @escaping (Bool) -> Void) {
        self.base = base
        self.backend = backend
        self.logger = logger
        self.onChange = onChange
        state = BackendHealthState(rise: backend.health.rise, fall: backend.health.fall, isUp: isUp)
    }

    var isUp: Bool { state.isUp }

    func start() {
        check()
        ticker.schedule(after: backend.health.interval, repeating: true)
    }

    func stop() {
        ticker.cancel()
        probe?.cancel()
        probe = nil
    }

    /// A worker's report from proxying (passive health).
    func recordPassive(succeeded: Bool) {
        if succeeded {
            state.recordPassiveSuccess()
        } else {
            apply(state.recordFailure(), reason: "proxied requests failed")
        }
    }

    private func check() {
        guard probe == nil else { return }
        guard let address = resolvedAddress() else { return }
        let probe = HealthProbe(base: base, backend: backend) { [unowned self] outcome in
            self.probe = nil
            switch outcome {
            case .passed: apply(state.recordSuccess(), reason: "")
            case let .failed(reason): apply(state.recordFailure(), reason: reason)
            }
        }
        self.probe = probe
        probe.start(address: address)
    }

    /// Resolved once and kept: resolving blocks, and backend addresses are fixed until a reload.
    /// A name that does not resolve fails the check and is tried again at the next one.
    private func resolvedAddress() -> SocketAddress? {
        if let address { return address }
        do {
            address = try SocketAddress.resolve(host: backend.address.host, port: backend.address.port)
        } catch {
            apply(state.recordFailure(), reason: "\(error)")
        }
        return address
    }

    private func apply(_ transition: BackendHealthState.Transition?, reason: String) {
        switch transition {
        case nil:
            return
        case .wentDown:
            logger.warning("backend \(backend.name) is down (\(state.consecutiveFailures) failed checks: \(reason))")
            onChange(false)
        case .wentUp:
            logger.info("backend \(backend.name) is up (\(state.consecutiveSuccesses) passed checks)")
            onChange(true)
        }
    }
}
