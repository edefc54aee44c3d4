import Config
import EventLoop
import GRIP
import Glibc
import Logging

/// The master's side of `[cluster]` (docs/cluster.md): two Redis connections per instance, one for
/// commands (the publish script, history reads, PING) and one subscribed to exactly the channels that
/// have subscribers on this instance. What other instances and producers publish comes out of
/// `onMessage`; this instance's own publishes come back from Redis too and are dropped there, since the
/// master gave them to its workers already.
///
/// After the subscriber connection comes back, each channel's history is read and what was published
/// meanwhile is delivered before the live messages that arrived during the read, each sequence number once.
final class ClusterLink {
    static let pingInterval = Duration.seconds(1)
    /// A command connection whose PING goes unanswered this long is taken to be dead, with its subscriber.
    static let pingTimeoutMilliseconds: Int64 = 3000
    static let channelsPerSubscribe = 500

    /// This instance, in the header of every message it publishes; new at each start.
    let origin = String(UInt64.random(in: 1...UInt64.max), radix: 16)
    private let base: EventBase
    let keys: ClusterKeys
    /// `channels.history_length` and `history_ttl`, for the publish script and history reads.
    let historyLength: Int, historyTTLMilliseconds: Int64
    let logger: Logger
    let commands: RedisSession, subscriber: RedisSession
    var channels = ClusterChannels()
    /// Per active channel, the highest sequence number heard from Redis: where a catch-up starts.
    var lastSequence: [String: Int64] = [:]
    /// Live messages held per channel while its history is read after a resubscribe.
    var catchingUp: [String: [ClusterMessage]] = [:]
    var catchUpsInFlight: Set<String> = []
    /// Counts subscriber connections lost: a catch-up read from before a loss is not used after it, since
    /// what was published between that read and the new subscription would be missing from it.
    var subscriberLosses = 0
    /// UNSUBSCRIBEs not yet confirmed. hiredis 0.14 forgets a channel's callback at the confirmation, even
    /// when a SUBSCRIBE followed, so a channel wanted again is subscribed only after it.
    var unsubscribing: Set<String> = []
    /// Channels whose SUBSCRIBE Redis confirmed on the current subscriber connection: what is published
    /// on them from now on reaches this instance.
    var confirmed: Set<String> = []
    /// History reads waiting for their channel's confirmation, so nothing falls between the read and the subscription.
    var historyReads: [String: [(afterID: String, completion: ([PublishItem]) -> Void)]] = [:]
    private var pingSentAt: Int64?
    private lazy var pingTimer = Timer(base: base) { [unowned self] in ping() }
    var messagesIn = 0
    private(set) var messagesOut = 0
    var onMessage: ([PublishItem]) -> Void = { _ in }

    init(base: EventBase, address: RedisAddress, cluster: ClusterConfig, channels: ChannelsConfig, logger: Logger) {
        self.base = base
        keys = ClusterKeys(prefix: cluster.channelPrefix)
        historyLength = channels.historyLength
        historyTTLMilliseconds = channels.historyTTL.milliseconds
        self.logger = logger
        commands = RedisSession(base: base, address: address, role: "commands", logger: logger)
        subscriber = RedisSession(base: base, address: address, role: "subscriber", logger: logger)
        commands.onReady = { [unowned self] in startCatchUps() }
        subscriber.onReady = { [unowned self] in subscribeAll() }
        subscriber.onLost = { [unowned self] in subscriberLost() }
        subscriber.onPush = { [unowned self] in pushed($0) }
    }

    func start() {
        commands.start()
        subscriber.start()
        pingTimer.schedule(after: Self.pingInterval, repeating: true)
    }

    /// nil when both connections are up, else what `/readyz` says.
    var problem: String? {
        if let problem = commands.problem { return "Redis unreachable (\(problem))" }
        if let problem = subscriber.problem { return "Redis subscriber connection down (\(problem))" }
        return nil
    }

    var stats: ClusterStats {
        ClusterStats(connections: [commands, subscriber].map { .init(role: $0.role, isUp: $0.isReady, reconnects: $0.reconnects) },
                     messagesIn: messagesIn, messagesOut: messagesOut)
    }

    // MARK: Publishing

    /// Runs the publish script; `completion` gets the items with their ids (the sequence number where the
    /// publisher gave none), or why nothing was published. Called at once when Redis is unreachable.
    func publish(_ items: [PublishItem], completion: @escaping (Result<[PublishItem], ClusterError>) -> Void) {
        let command = PublishScript.command(items: items, keys: keys, origin: origin, historyLength: historyLength,
                                            historyTTLMilliseconds: historyTTLMilliseconds)
        let sent = commands.send(command) { [unowned self] reply in
            guard case .array(let values) = reply, values.count == items.count else {
                return completion(.failure(ClusterError(reason: "Redis did not take the publish: \(Self.describe(reply))")))
            }
            var numbered = items
            for (index, value) in values.enumerated() {
                guard case .integer(let sequence) = value else {
                    return completion(.failure(ClusterError(reason: "Redis answered the publish with \(Self.describe(value))")))
                }
                if numbered[index].id == nil { numbered[index].id = String(sequence) }
            }
            messagesOut += items.count
            completion(.success(numbered))
        }
        if !sent { completion(.failure(ClusterError(reason: problem ?? "Redis unreachable"))) }
    }

    // MARK: Liveness

    private func ping() {
        guard commands.isReady else {
            pingSentAt = nil
            return
        }
        let now = base.nowMilliseconds
        if let sentAt = pingSentAt {
            guard now - sentAt >= Self.pingTimeoutMilliseconds else { return }
            pingSentAt = nil
            let reason = "no answer to PING within \(Self.pingTimeoutMilliseconds) ms"
            commands.reset(reason: reason)
            subscriber.reset(reason: reason)
            return
        }
        pingSentAt = now
        commands.send([Array("PING".utf8)]) { [unowned self] _ in pingSentAt = nil }
    }

    static func describe(_ reply: RedisReply) -> String {
        switch reply {
        case .error(let text), .status(let text): text
        case .bulk(let bytes): "a string of \(bytes.count) bytes"
        case .integer(let value): String(value)
        case .null: "nil"
        case .array(let elements): "an array of \(elements.count)"
        }
    }
}
