import EventLoop
import Glibc

/// Which channels this instance listens to in Redis, and what arrives on them: the union of the workers'
/// channels, subscribed and unsubscribed as it changes, caught up from history after a resubscribe.
extension ClusterLink {
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

    func unsubscribe(_ channel: String) {
        lastSequence[channel] = nil
        catchingUp[channel] = nil
        confirmed.remove(channel)
        for read in historyReads.removeValue(forKey: channel) ?? [] { read.completion([]) }
        if subscriber.sendExpectingPushes([Array("UNSUBSCRIBE".utf8), keys.pubSubChannel(channel)]) {
            unsubscribing.insert(channel)
        }
    }

    func subscribeAll() {
        let names = channels.active.map(keys.pubSubChannel)
        var start = 0
        while start < names.count {
            let end = min(start + Self.channelsPerSubscribe, names.count)
            subscriber.sendExpectingPushes([Array("SUBSCRIBE".utf8)] + names[start..<end])
            start = end
        }
    }

    func pushed(_ reply: RedisReply) {
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

    func subscriberLost() {
        subscriberLosses += 1
        catchUpsInFlight = []
        unsubscribing = []
        confirmed = []
        let waiting = historyReads
        historyReads = [:]
        for read in waiting.values.joined() { read.completion([]) }
    }

    /// A channel heard before catches up from its history; a new one notes where its history stands.
    func subscribed(_ channel: String) {
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

    func received(_ payload: [UInt8], on channel: String) {
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
    /// history and held messages overlap, and only sequence numbers not yet heard are delivered. A
    /// channel's messages arrive in sequence order, so the last one heard is the highest, unless Redis
    /// started numbering again.
    func deliver(_ message: ClusterMessage, on channel: String, onlyIfNew: Bool) {
        if let sequence = message.sequence {
            if onlyIfNew, let last = lastSequence[channel], sequence <= last { return }
            lastSequence[channel] = sequence
        }
        guard message.origin != origin, !message.items.isEmpty else { return }
        messagesIn += message.items.count
        onMessage(message.items)
    }

    func startCatchUps() {
        guard commands.isReady else { return }
        let losses = subscriberLosses
        for channel in catchingUp.keys where !catchUpsInFlight.contains(channel) {
            catchUpsInFlight.insert(channel)
            readHistory(of: channel) { [unowned self] history in
                guard losses == subscriberLosses else { return }
                catchUpsInFlight.remove(channel)
                // Without an answer the catch-up is tried again when the command connection is back.
                guard let history else { return }
                finishCatchUp(channel, history: history)
            }
        }
    }

    func finishCatchUp(_ channel: String, history: [ClusterMessage]) {
        guard channels.isActive(channel), let held = catchingUp.removeValue(forKey: channel) else { return }
        if let last = lastSequence[channel], Self.sequenceWentBack(from: last, history: history, held: held) {
            logger.warning("Redis numbers the channel from the start again (restarted without its data?)", metadata: ["channel": .string(channel)])
            lastSequence[channel] = 0
        }
        for message in history + held { deliver(message, on: channel, onlyIfNew: true) }
    }

    /// Whether Redis lost the channel's sequence (a restart without persistence numbers from 1 again), so
    /// nothing read now is a repeat. The history ends with the newest message as of the read; without a
    /// history, a message that arrived after the subscription but is numbered at most `last` tells it.
    static func sequenceWentBack(from last: Int64, history: [ClusterMessage], held: [ClusterMessage]) -> Bool {
        if let newest = history.last?.sequence { return newest < last }
        return held.contains { ($0.sequence ?? .max) <= last }
    }
}
