import GRIP

/// Redis's history of a channel, for clients that come back with `Last-Event-ID` and for catch-ups.
extension ClusterLink {
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

    func readHistory(of channel: String, after afterID: String, completion: @escaping ([PublishItem]) -> Void) {
        readHistory(of: channel) { messages in
            let items = (messages ?? []).flatMap(\.items)
            guard let position = items.lastIndex(where: { $0.id == afterID }) else { return completion([]) }
            completion(Array(items[(position + 1)...]))
        }
    }

    /// The channel's history in Redis within the TTL, oldest first: empty when unreadable (logged), nil when
    /// the command connection is down or was lost before the answer.
    func readHistory(of channel: String, completion: @escaping ([ClusterMessage]?) -> Void) {
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
}
