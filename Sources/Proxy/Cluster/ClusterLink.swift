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
/// meanwhile is delivered before the live messages held in the while, each sequence number once.
final class ClusterLink {
    static let pingInterval = Duration.seconds(1)
    /// A command connection whose PING goes unanswered this long is taken to be dead, with its subscriber.
    static let pingTimeoutMilliseconds: Int64 = 3000
    static let channelsPerSubscribe = 500

    /// This instance, in the header of every message it publishes; new at each start.
    let origin = String(UInt64.random(in: 1...UInt64.max), radix: 16)
    private let base: EventBase
    private let keys: ClusterKeys
    private let historyLength: Int
    private let historyTTLMilliseconds: Int64
    private let logger: Logger
    private let commands: RedisSession
    private let subscriber: RedisSession
    private var channels = ClusterChannels()
    /// Per active channel, the highest sequence number heard from Redis: where a catch-up starts.
    private var lastSequence: [String: Int64] = [:]
    /// Live messages held per channel while its history is read after a resubscribe.
    private var catchingUp: [String: [ClusterMessage]] = [:]
    private var catchUpsInFlight: Set<String> = []
    /// UNSUBSCRIBEs not yet confirmed. hiredis 0.14 forgets a channel's callback at the confirmation, even
    /// when a SUBSCRIBE followed, so a channel wanted again is subscribed only after it.
    private var unsubscribing: Set<String> = []
    /// Channels whose SUBSCRIBE Redis confirmed on the current subscriber connection: what is published
    /// on them from now on reaches this instance.
    private var confirmed: Set<String> = []
    /// History reads waiting for their channel's confirmation, so nothing falls between the read and the subscription.
    private var historyReads: [String: [(afterID: String, completion: ([PublishItem]) -> Void)]] = [:]
    private var pingSentAt: Int64?
    private lazy var pingTimer = Timer(base: base) { [unowned self] in ping() }
    private(set) var messagesIn = 0
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

    // MARK: Which channels this instance listens to

    func channelActive(_ channel: String, worker: pid_t) {
        guard channels.add(channel, worker: worker), !unsubscribing.contains(channel) else { return }
        subscriber.sendExpectingPushes([Array("SUBSCRIBE".utf8), keys.pubSubChannel(channel)])
    }

    func channelIdle(_ channel: String, worker: pid_t) {
        if channels.remove(channel, worker: worker) { unsubscribe(channel) }
    }

    func workerGone(_ worker: pid_t) {
        for channel in channels.removeWorker(worker) { unsubscribe(channel) }
    }

    private func unsubscribe(_ channel: String) {
        lastSequence[channel] = nil
        catchingUp[channel] = nil
        confirmed.remove(channel)
        for read in historyReads.removeValue(forKey: channel) ?? [] { read.completion([]) }
        if subscriber.sendExpectingPushes([Array("UNSUBSCRIBE".utf8), keys.pubSubChannel(channel)]) {
            unsubscribing.insert(channel)
        }
    }

    private func subscribeAll() {
        let names = channels.active.map(keys.pubSubChannel)
        var start = 0
        while start < names.count {
            let end = min(start + Self.channelsPerSubscribe, names.count)
            subscriber.sendExpectingPushes([Array("SUBSCRIBE".utf8)] + names[start..<end])
            start = end
        }
    }

    private func pushed(_ reply: RedisReply) {
        guard case .array(let parts) = reply, parts.count >= 3, case .bulk(let kind) = parts[0], case .bulk(let name) = parts[1],
              let channel = keys.channel(fromPubSub: name) else { return }
        switch String(decoding: kind, as: UTF8.self) {
        case "message":
            guard case .bulk(let payload) = parts[2] else { return }
            received(payload, on: channel)
        case "subscribe":
            subscribed(channel)
        case "unsubscribe":
            unsubscribing.remove(channel)
            if channels.isActive(channel) {
                subscriber.sendExpectingPushes([Array("SUBSCRIBE".utf8), keys.pubSubChannel(channel)])
            }
        default:
            break
        }
    }

    private func subscriberLost() {
        unsubscribing = []
        confirmed = []
        let waiting = historyReads
        historyReads = [:]
        for read in waiting.values.joined() { read.completion([]) }
    }

    /// A channel heard before catches up from its history; a new one notes where its history stands.
    private func subscribed(_ channel: String) {
        guard channels.isActive(channel) else { return }
        confirmed.insert(channel)
        for read in historyReads.removeValue(forKey: channel) ?? [] { readHistory(of: channel, after: read.afterID, completion: read.completion) }
        guard lastSequence[channel] != nil else {
            commands.send([Array("GET".utf8), keys.sequence(channel)]) { [unowned self] reply in
                guard channels.isActive(channel) else { return }
                // No key yet: nothing was ever published on the channel.
                let sequence: Int64? = switch reply {
                case .null: 0
                case .bulk(let text): Int64(String(decoding: text, as: UTF8.self))
                default: nil
                }
                if let sequence { lastSequence[channel] = max(lastSequence[channel] ?? 0, sequence) }
            }
            return
        }
        if catchingUp[channel] == nil { catchingUp[channel] = [] }
        startCatchUps()
    }

    // MARK: History for clients that come back (SSE Last-Event-ID)

    /// The messages Redis's history of `channel` holds after the one with id `afterID`; none when that id is
    /// not there (any more). The asking worker keeps the channel active, and the read waits until Redis has
    /// confirmed the subscription, so later messages reach the worker live.
    func history(of channel: String, after afterID: String, completion: @escaping ([PublishItem]) -> Void) {
        guard channels.isActive(channel), subscriber.isReady else { return completion([]) }
        if confirmed.contains(channel) {
            readHistory(of: channel, after: afterID, completion: completion)
        } else {
            historyReads[channel, default: []].append((afterID, completion))
        }
    }

    private func readHistory(of channel: String, after afterID: String, completion: @escaping ([PublishItem]) -> Void) {
        readHistory(of: channel) { messages in
            let items = (messages ?? []).flatMap(\.items)
            guard let position = items.lastIndex(where: { $0.id == afterID }) else { return completion([]) }
            completion(Array(items[(position + 1)...]))
        }
    }

    /// The channel's history in Redis within the TTL, oldest first: empty when unreadable (logged), nil when
    /// the command connection is down or was lost before the answer.
    private func readHistory(of channel: String, completion: @escaping ([ClusterMessage]?) -> Void) {
        let sent = commands.send(HistoryScript.command(historyKey: keys.history(channel))) { [unowned self] reply in
            guard reply != .connectionLost else { return completion(nil) }
            guard let messages = HistoryScript.messages(in: reply, channel: channel, ttlMilliseconds: historyTTLMilliseconds) else {
                logger.warning("cannot read channel history from Redis", metadata: ["channel": .string(channel), "reply": .string(Self.describe(reply))])
                return completion([])
            }
            completion(messages)
        }
        if !sent { completion(nil) }
    }

    // MARK: Messages in

    private func received(_ payload: [UInt8], on channel: String) {
        guard channels.isActive(channel) else { return }
        let message: ClusterMessage
        do {
            message = try ClusterMessage(decoding: payload, channel: channel)
        } catch {
            logger.warning("undecodable message from Redis; dropped", metadata: ["channel": .string(channel), "error": .string(error.reason)])
            return
        }
        if catchingUp[channel] != nil {
            catchingUp[channel]?.append(message)
        } else {
            deliver(message, on: channel, onlyIfNew: false)
        }
    }

    /// Live messages are delivered as they come (Redis pub/sub never repeats one); during a catch-up,
    /// history and held messages overlap, and only sequence numbers not yet heard are delivered.
    private func deliver(_ message: ClusterMessage, on channel: String, onlyIfNew: Bool) {
        if let sequence = message.sequence {
            if onlyIfNew, let last = lastSequence[channel], sequence <= last { return }
            lastSequence[channel] = max(lastSequence[channel] ?? 0, sequence)
        }
        guard message.origin != origin, !message.items.isEmpty else { return }
        messagesIn += message.items.count
        onMessage(message.items)
    }

    private func startCatchUps() {
        guard commands.isReady else { return }
        for channel in catchingUp.keys where !catchUpsInFlight.contains(channel) {
            catchUpsInFlight.insert(channel)
            readHistory(of: channel) { [unowned self] history in
                catchUpsInFlight.remove(channel)
                // Without an answer the catch-up is tried again when the command connection is back.
                guard let history else { return }
                finishCatchUp(channel, history: history)
            }
        }
    }

    private func finishCatchUp(_ channel: String, history: [ClusterMessage]) {
        guard channels.isActive(channel), let held = catchingUp.removeValue(forKey: channel) else { return }
        for message in history + held { deliver(message, on: channel, onlyIfNew: true) }
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

    private static func describe(_ reply: RedisReply) -> String {
        switch reply {
        case .error(let text), .status(let text): text
        case .bulk(let bytes): "a string of \(bytes.count) bytes"
        case .integer(let value): String(value)
        case .null: "nil"
        case .array(let elements): "an array of \(elements.count)"
        }
    }
}

/// Why a publish did not go through Redis: answered 503, nothing was delivered.
struct ClusterError: Error {
    var reason: String
}

/// For /metrics.
struct ClusterStats {
    struct Connection {
        var role: String
        var isUp: Bool
        var reconnects: Int
    }

    var connections: [Connection]
    var messagesIn: Int
    var messagesOut: Int
}
