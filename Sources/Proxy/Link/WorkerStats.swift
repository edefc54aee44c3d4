/// One worker's counters and gauges, sent to the master on request and summed there for /metrics and /status.
public struct WorkerStats: Sendable, Equatable {
    public var clientConnections = 0
    public var heldResponses = 0
    public var heldStreams = 0
    public var heldSSE = 0
    /// Per backend index of the worker's configuration.
    public var poolIdle: [Int] = []
    public var poolBusy: [Int] = []
    /// Requests answered, keyed by route index (-1: no route matched / refused before routing) and status.
    public var requests: [RequestKey: Int] = [:]
    public var messagesDelivered = 0
    public var subscribersDropped: [String: Int] = [:]
    public var timeouts: [String: Int] = [:]
    /// This worker's channels, for counting distinct channels over all workers.
    public var channelSketch = ChannelSketch()
    public var subscribers = 0

    public struct RequestKey: Hashable, Sendable {
        public var route: Int
        public var status: Int
        public init(route: Int, status: Int) {
            self.route = route
            self.status = status
        }
    }

    public init() {}

    public var heldTotal: Int { heldResponses + heldStreams + heldSSE }
}

extension WorkerStats {
    func encode(into writer: inout ByteWriter) {
        for value in [clientConnections, heldResponses, heldStreams, heldSSE, messagesDelivered, subscribers] {
            writer.write(value)
        }
        writer.write(channelSketch.registers)
        writeInts(poolIdle, into: &writer)
        writeInts(poolBusy, into: &writer)
        writer.write(requests.count)
        for (key, count) in requests {
            writer.write(key.route)
            writer.write(key.status)
            writer.write(count)
        }
        writeCounts(subscribersDropped, into: &writer)
        writeCounts(timeouts, into: &writer)
    }

    static func decode(from reader: inout ByteReader) throws(FrameDecodingError) -> WorkerStats {
        var stats = WorkerStats()
        stats.clientConnections = try reader.readInt()
        stats.heldResponses = try reader.readInt()
        stats.heldStreams = try reader.readInt()
        stats.heldSSE = try reader.readInt()
        stats.messagesDelivered = try reader.readInt()
        stats.subscribers = try reader.readInt()
        let registers = try reader.readBytes()
        guard registers.count == ChannelSketch.registerCount else { throw FrameDecodingError() }
        stats.channelSketch = ChannelSketch(registers: registers)
        stats.poolIdle = try readInts(from: &reader)
        stats.poolBusy = try readInts(from: &reader)
        for _ in 0..<(try reader.readInt()) {
            let key = RequestKey(route: try reader.readInt(), status: try reader.readInt())
            stats.requests[key] = try reader.readInt()
        }
        stats.subscribersDropped = try readCounts(from: &reader)
        stats.timeouts = try readCounts(from: &reader)
        return stats
    }
}

private func writeInts(_ values: [Int], into writer: inout ByteWriter) {
    writer.write(values.count)
    for value in values { writer.write(value) }
}

private func readInts(from reader: inout ByteReader) throws(FrameDecodingError) -> [Int] {
    var values: [Int] = []
    for _ in 0..<(try reader.readInt()) { values.append(try reader.readInt()) }
    return values
}

private func writeCounts(_ counts: [String: Int], into writer: inout ByteWriter) {
    writer.write(counts.count)
    for (name, count) in counts {
        writer.write(name)
        writer.write(count)
    }
}

private func readCounts(from reader: inout ByteReader) throws(FrameDecodingError) -> [String: Int] {
    var counts: [String: Int] = [:]
    for _ in 0..<(try reader.readInt()) {
        let name = try reader.readString()
        counts[name] = try reader.readInt()
    }
    return counts
}
