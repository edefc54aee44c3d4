import Config
import EventLoop
import Logging

/// A connection to Redis that keeps itself up: it connects (within `connectTimeout`), authenticates,
/// selects the database, and when the connection is lost it reconnects after `RespawnBackoff`'s delay
/// (at once after a connection that lasted, then 100 ms doubling to 5 s while attempts keep failing).
final class RedisSession {
    static let connectTimeout = Duration.seconds(2)

    let role: String
    private let base: EventBase
    private let address: RedisAddress
    private let logger: Logger
    private var connection: RedisConnection?
    private var readySince: ContinuousClock.Instant?
    private var backoff = RespawnBackoff()
    private lazy var retryTimer = Timer(base: base) { [unowned self] in connect() }
    /// nil while ready, else why not.
    private(set) var problem: String? = "connecting"
    /// Connections made again after one was lost.
    private(set) var reconnects = 0
    private var hasBeenReady = false
    /// One log line per outage, not one per attempt.
    private var isOutageLogged = false
    var onReady: () -> Void = {}
    var onLost: () -> Void = {}
    var onPush: (RedisReply) -> Void = { _ in }

    init(base: EventBase, address: RedisAddress, role: String, logger: Logger) {
        self.base = base
        self.address = address
        self.role = role
        self.logger = logger
    }

    var isReady: Bool { problem == nil }

    func start() { connect() }

    /// Ends the connection as if Redis had dropped it, and reconnects.
    func reset(reason: String) {
        guard let connection else { return }
        lost(connection, reason: reason)
        connection.close()
    }

    /// False while not ready: nothing is sent then.
    @discardableResult
    func send(_ arguments: [[UInt8]], reply: @escaping (RedisReply) -> Void) -> Bool {
        guard isReady, let connection else { return false }
        return connection.send(arguments, reply: reply)
    }

    @discardableResult
    func sendExpectingPushes(_ arguments: [[UInt8]]) -> Bool {
        guard isReady, let connection else { return false }
        return connection.sendExpectingPushes(arguments)
    }

    private func connect() {
        let target: RedisConnection.Target = switch address.target {
        case let .tcp(host, port): .tcp(host: host, port: Int(port))
        case let .unix(path): .unix(path: path)
        }
        var made: RedisConnection?
        let connection = RedisConnection(base: base, target: target, connectTimeout: Self.connectTimeout,
                                         onConnected: { [unowned self] in made.map(handshake) },
                                         onClosed: { [unowned self] reason in made.map { lost($0, reason: reason) } })
        made = connection
        connection.onPush = { [unowned self] in onPush($0) }
        self.connection = connection
    }

    /// AUTH and SELECT, queued at once; ready when both are answered.
    private func handshake(_ connection: RedisConnection) {
        var commands: [[String]] = []
        if let password = address.password { commands.append(["AUTH"] + (address.user.map { [$0] } ?? []) + [password]) }
        if address.database != 0 { commands.append(["SELECT", String(address.database)]) }
        var unanswered = commands.count
        guard unanswered > 0 else { return ready(connection) }
        for command in commands {
            connection.send(command.map { Array($0.utf8) }) { [unowned self] reply in
                guard self.connection === connection else { return }
                if case .error(let message) = reply {
                    lost(connection, reason: "\(command[0]) refused: \(message)")
                    connection.close()
                    return
                }
                unanswered -= 1
                if unanswered == 0 { ready(connection) }
            }
        }
    }

    private func ready(_ connection: RedisConnection) {
        guard self.connection === connection else { return }
        problem = nil
        readySince = .now
        if hasBeenReady {
            reconnects += 1
            logger.info("Redis connection back", metadata: ["connection": .string(role)])
        }
        hasBeenReady = true
        isOutageLogged = false
        onReady()
    }

    private func lost(_ connection: RedisConnection, reason: String) {
        guard self.connection === connection else { return }
        self.connection = nil
        let wasReady = isReady
        if !isOutageLogged {
            isOutageLogged = true
            logger.warning("Redis connection lost; reconnecting", metadata: ["connection": .string(role), "reason": .string(reason)])
        }
        problem = reason
        let lifetime = wasReady ? readySince.map { .now - $0 } ?? .zero : .zero
        readySince = nil
        retryTimer.schedule(after: backoff.delay(afterLifetime: lifetime))
        if wasReady { onLost() }
    }
}
