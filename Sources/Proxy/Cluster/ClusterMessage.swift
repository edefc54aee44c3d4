import GRIP

/// One message as it travels through Redis pub/sub and sits in a channel's Redis history (docs/cluster.md,
/// "Payload format"). Holdfast writes `HF1 <origin> <sequence> <milliseconds>\n` and then the item in
/// `PublishCodec`'s bytes; the publish script writes that header, since only it knows the sequence
/// number and Redis's clock. Other producers publish the JSON body of `POST /publish/` instead.
struct ClusterMessage: Equatable {
    static let marker: [UInt8] = Array("HF1 ".utf8)

    var items: [PublishItem]
    /// The instance that published it; nil for other producers.
    var origin: String?
    /// The channel's sequence number in Redis (ordered across instances); nil for other producers.
    var sequence: Int64?
    /// Redis's clock when it was published, for the history TTL; nil for other producers.
    var publishedAtMilliseconds: Int64?

    /// What the publish script prepends the sequence, time and newline to.
    static func headerPrefix(origin: String) -> [UInt8] { marker + Array("\(origin) ".utf8) }

    /// The part after the header: one item, as the workers' frames carry it.
    static func body(of item: PublishItem) -> [UInt8] { PublishCodec.encode([item]) }

    /// The message published on Redis channel `channel` (without the prefix). Items of other producers
    /// for another channel are dropped: the Redis channel decides which instances hear a message.
    init(decoding payload: [UInt8], channel: String) throws(PublishError) {
        guard payload.starts(with: Self.marker) else {
            items = try PublishRequest.parseJSON(payload).filter { $0.channel == channel }
            return
        }
        guard let newline = payload.firstIndex(of: UInt8(ascii: "\n")) else {
            throw PublishError(reason: "cluster message header expected a newline; got none")
        }
        let fields = payload[Self.marker.count..<newline].split(separator: UInt8(ascii: " ")).map { String(decoding: $0, as: UTF8.self) }
        guard fields.count == 3, let sequence = Int64(fields[1]), let milliseconds = Int64(fields[2]) else {
            throw PublishError(reason: "cluster message header expected origin, sequence and time; got \(fields)")
        }
        var decoded = try PublishCodec.decode(payload[(newline + 1)...])
        guard decoded.allSatisfy({ $0.channel == channel }) else {
            throw PublishError(reason: "cluster message for channel \(channel) carries an item of another channel")
        }
        // The sequence number is the id wherever the publisher gave none, the same on every instance.
        for index in decoded.indices where decoded[index].id == nil { decoded[index].id = String(sequence) }
        items = decoded
        origin = fields[0]
        self.sequence = sequence
        publishedAtMilliseconds = milliseconds
    }
}
