import EventLoop
import GRIP

/// What a channel delivers to. Delivery has two phases so that a publish reaches every
/// subscriber's socket before any bookkeeping (a long-poll leaving its hold changes the set).
protocol ChannelSubscriber: AnyObject {
    /// Writes what this subscriber gets from `message`; false when it has no matching format.
    func writeMessage(_ message: PreparedMessage) -> Bool
    /// What follows a written message: answered long-polls leave, streams re-arm, slow readers are cut.
    func completeDelivery(_ message: PreparedMessage)
}

/// The channels of this worker: who is subscribed to each, and its recent messages.
/// Messages arrive from a message source (today the master's frames; later Redis) through `publish`.
/// Generic rather than over an existential, so a subscription costs one reference.
final class ChannelHub<Subscriber: ChannelSubscriber> {
    /// A subscriber by identity: 8 bytes of set storage, where a dictionary from its
    /// `ObjectIdentifier` would take 16 (a popular channel has one entry per held client).
    private struct Member: Hashable {
        let subscriber: Subscriber
        static func == (left: Member, right: Member) -> Bool { left.subscriber === right.subscriber }
        func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(subscriber)) }
    }

    private final class Channel {
        var subscribers = Set<Member>()
        var history: [PreparedMessage] = []
        /// Subscribers on their way (waiting for Redis's history): the channel counts as active meanwhile.
        var reservations = 0
        /// Messages ever recorded in `history`, to tell which arrived after a point in time.
        var recorded = 0

        var isActive: Bool { !subscribers.isEmpty || reservations > 0 }
        var isUnused: Bool { !isActive && history.isEmpty }
    }

    private var channels: [String: Channel] = [:]
    private let historyLength: Int
    private let historyTTLMilliseconds: Int64
    private(set) var subscriberCount = 0
    /// Told when a channel gets its first subscriber here (true) and when its last one leaves (false).
    var onChannelActivity: ((String, Bool) -> Void)?

    init(historyLength: Int, historyTTL: Duration) {
        self.historyLength = historyLength
        historyTTLMilliseconds = historyTTL.milliseconds
    }

    var channelSketch: ChannelSketch {
        var sketch = ChannelSketch()
        for name in channels.keys { sketch.add(name) }
        return sketch
    }

    func subscribe(_ session: Subscriber, to names: [String]) {
        for name in names {
            let channel = channel(named: name)
            let wasActive = channel.isActive
            if channel.subscribers.insert(Member(subscriber: session)).inserted {
                subscriberCount += 1
                if !wasActive { onChannelActivity?(name, true) }
            }
        }
    }

    func unsubscribe(_ session: Subscriber, from names: [String]) {
        for name in names {
            guard let channel = channels[name] else { continue }
            if channel.subscribers.remove(Member(subscriber: session)) != nil {
                subscriberCount -= 1
                if !channel.isActive { onChannelActivity?(name, false) }
            }
            if channel.isUnused { channels[name] = nil }
        }
    }

    /// Keeps the channel active for a subscriber that is not there yet; returns the history mark
    /// (`history(of:recordedSince:)`) of this moment.
    func reserve(_ name: String) -> Int {
        let channel = channel(named: name)
        channel.reservations += 1
        if channel.reservations == 1 && channel.subscribers.isEmpty { onChannelActivity?(name, true) }
        return channel.recorded
    }

    func release(_ name: String) {
        guard let channel = channels[name], channel.reservations > 0 else { return }
        channel.reservations -= 1
        if !channel.isActive { onChannelActivity?(name, false) }
        if channel.isUnused { channels[name] = nil }
    }

    /// Delivers each item to the channel's subscribers, in order; returns how many distinct
    /// held connections received at least one item.
    func publish(_ items: [PublishItem], publishID: UInt64, now: Int64) -> Int {
        // One item (the common case) reaches each subscriber at most once: a count suffices.
        var reachedCount = 0
        var reached = Set<ObjectIdentifier>()
        for (index, item) in items.enumerated() {
            let id = item.id ?? (items.count == 1 ? "\(publishID)" : "\(publishID).\(index)")
            let message = PreparedMessage(item: item, id: id, publishedAt: now)
            let channel = channels[item.channel]
            if historyLength > 0 { record(message, in: channel ?? self.channel(named: item.channel), now: now) }
            guard let channel, !channel.subscribers.isEmpty else { continue }
            // Every socket gets the bytes first; then the bookkeeping (a long-poll leaves its hold,
            // which changes the subscriber set: hence the snapshot).
            var written: [Subscriber] = []
            written.reserveCapacity(channel.subscribers.count)
            for member in channel.subscribers where member.subscriber.writeMessage(message) { written.append(member.subscriber) }
            for session in written { session.completeDelivery(message) }
            if items.count == 1 {
                reachedCount += written.count
            } else {
                for session in written { reached.insert(ObjectIdentifier(session)) }
            }
        }
        return items.count == 1 ? reachedCount : reached.count
    }

    /// The messages the channel still holds after the one with `id`; nil when that id is no longer known.
    func history(of name: String, after id: String, now: Int64) -> [PreparedMessage]? {
        guard let channel = channels[name] else { return nil }
        expire(channel, now: now)
        guard let position = channel.history.lastIndex(where: { $0.id == id }) else { return nil }
        return Array(channel.history[(position + 1)...])
    }

    /// The messages recorded since `mark` (from `reserve`) that the history still holds.
    func history(of name: String, recordedSince mark: Int, now: Int64) -> [PreparedMessage] {
        guard let channel = channels[name] else { return [] }
        expire(channel, now: now)
        return Array(channel.history.suffix(min(channel.recorded - mark, channel.history.count)))
    }

    /// Drops expired history and channels left with neither subscribers nor history.
    func sweep(now: Int64) {
        for (name, channel) in channels {
            expire(channel, now: now)
            if channel.isUnused { channels[name] = nil }
        }
    }

    private func channel(named name: String) -> Channel {
        if let existing = channels[name] { return existing }
        let created = Channel()
        channels[name] = created
        return created
    }

    private func record(_ message: PreparedMessage, in channel: Channel, now: Int64) {
        channel.recorded += 1
        channel.history.append(message)
        if channel.history.count > historyLength { channel.history.removeFirst(channel.history.count - historyLength) }
        expire(channel, now: now)
    }

    private func expire(_ channel: Channel, now: Int64) {
        let oldest = now - historyTTLMilliseconds
        if let keep = channel.history.firstIndex(where: { $0.publishedAt >= oldest }) {
            if keep > 0 { channel.history.removeFirst(keep) }
        } else {
            channel.history.removeAll()
        }
    }
}
