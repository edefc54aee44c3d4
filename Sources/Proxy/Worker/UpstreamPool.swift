import Config
import DequeModule
import EventLoop

/// At most `maxConnections` keep-alive connections to one backend, in this worker.
/// Requests beyond that wait in FIFO order, each for at most the queue timeout.
final class UpstreamPool {
    let backendIndex: Int
    let name: String
    /// The backend's address as a `Host` value, for requests that came without one.
    let hostHeader: String
    private let address: SocketAddress
    private let base: EventBase
    let maxConnections: Int
    private let connectTimeout: Duration
    private let idleTimeout: Duration
    private let queueTimeoutMilliseconds: Int64
    private var idle: [UpstreamConnection] = []
    /// Connecting or lent out.
    private(set) var busyCount = 0
    /// WebSocket tunnels to this backend (`holdfast_tunnels`), each on a connection outside the pool.
    var tunnelCount = 0
    private var waiters: Deque<(user: UpstreamUser, since: Int64)> = []
    private lazy var queueSweep = Timer(base: base) { [unowned self] in self.expireWaiters() }
    /// Passive health reports: (backend index, succeeded).
    var onHealthSignal: (Int, Bool) -> Void = { _, _ in }

    init(backendIndex: Int, backend: BackendConfig, address: SocketAddress, base: EventBase, timeouts: TimeoutsConfig) {
        self.backendIndex = backendIndex
        name = backend.name
        hostHeader = backend.address.description
        self.address = address
        self.base = base
        maxConnections = backend.maxConnections
        connectTimeout = timeouts.upstreamConnect
        idleTimeout = timeouts.upstreamIdle
        queueTimeoutMilliseconds = timeouts.queue.milliseconds
    }

    var idleCount: Int { idle.count }

    /// Gives `user` a connection now, opens one for it, or queues it.
    func acquire(for user: UpstreamUser) {
        if let connection = idle.popLast() {
            lend(connection, to: user)
        } else if idle.count + busyCount < maxConnections {
            open(for: user)
        } else {
            waiters.append((user, base.nowMilliseconds))
            if !queueSweep.isScheduled { queueSweep.schedule(after: .milliseconds(20), repeating: true) }
        }
    }

    /// A connection of `user`'s own, for a WebSocket tunnel: opened like a pooled one (the connect
    /// timeout, health signals) but outside `max_connections`, so tunnels never starve requests, and
    /// closed when given back.
    func openDedicated(for user: UpstreamUser) {
        open(for: user, pooled: false)
    }

    /// Withdraws a queued request (its client went away).
    func cancel(_ user: UpstreamUser) {
        waiters.removeAll { $0.user === user }
    }

    /// Takes a connection back: kept for the next request if it is in a clean state, else closed.
    func release(_ connection: UpstreamConnection, reusable: Bool) {
        connection.user = nil
        guard connection.isPooled else { return connection.socket.close() }
        busyCount -= 1
        guard reusable, connection.socket.isOpen else {
            connection.socket.close()
            openForNextWaiter()
            return
        }
        connection.hasServedRequest = true
        if let next = nextWaiter() {
            lend(connection, to: next)
        } else {
            idle.append(connection)
            // Reading an idle connection notices the backend closing it, and its idle timeout.
            connection.socket.watchReadable(timeout: idleTimeout)
        }
    }

    /// A lent connection that broke: it is gone from the pool.
    func discard(_ connection: UpstreamConnection) {
        connection.socket.close()
        if connection.isPooled { busyCount -= 1 }
        connection.user = nil
        openForNextWaiter()
    }

    func closeIdleConnections() {
        for connection in idle { connection.socket.close() }
        idle.removeAll()
    }

    // MARK: Connection events

    func connectionDidConnect(_ connection: UpstreamConnection) {
        onHealthSignal(backendIndex, true)
        guard let user = connection.user else {
            release(connection, reusable: true)
            return
        }
        user.upstreamReady(connection)
    }

    func connectionFailed(_ connection: UpstreamConnection, _ failure: UpstreamFailure) {
        onHealthSignal(backendIndex, false)
        let user = connection.user
        connection.user = nil
        connection.socket.close()
        if connection.isPooled { busyCount -= 1 }
        user?.upstreamUnavailable(failure)
        // The slot is free again: the next queued request tries a connection of its own now,
        // rather than waiting out the queue timeout.
        openForNextWaiter()
    }

    func idleConnectionEnded(_ connection: UpstreamConnection) {
        connection.socket.close()
        idle.removeAll { $0 === connection }
    }

    // MARK: Internals

    private func lend(_ connection: UpstreamConnection, to user: UpstreamUser) {
        busyCount += 1
        connection.user = user
        // Reading stays on (no epoll_ctl per request); the user sets its own timeout.
        user.upstreamReady(connection)
    }

    private func open(for user: UpstreamUser, pooled: Bool = true) {
        if pooled { busyCount += 1 }
        let connection: UpstreamConnection
        do {
            // The delegate is wired right after: a socket reports nothing before the loop runs again.
            let socket = try Socket.connect(to: address, base: base, timeout: connectTimeout)
            connection = UpstreamConnection(pool: self, socket: socket, isPooled: pooled)
            socket.delegate = connection
        } catch {
            if pooled { busyCount -= 1 }
            onHealthSignal(backendIndex, false)
            user.upstreamUnavailable(.connectFailed(error.message))
            return
        }
        connection.user = user
    }

    private func nextWaiter() -> UpstreamUser? {
        waiters.popFirst()?.user
    }

    private func openForNextWaiter() {
        if idle.count + busyCount < maxConnections, let next = nextWaiter() { open(for: next) }
    }

    private func expireWaiters() {
        let now = base.nowMilliseconds
        while let first = waiters.first, now - first.since >= queueTimeoutMilliseconds {
            waiters.removeFirst()
            first.user.upstreamUnavailable(.queueTimeout)
        }
        if waiters.isEmpty { queueSweep.cancel() }
    }
}
