import Wire
/// One worker's counters and gauges, sent to the master on request and summed there for /metrics and /status.
public struct WorkerStats: Sendable, Equatable {
    public var clientConnections = 0
    public var heldResponses = 0
    public var heldStreams = 0
    public var heldSSE = 0
    public var heldWebSockets = 0
    /// Per backend index of the worker's configuration.
    public var poolIdle: [Int] = []
    public var poolBusy: [Int] = []
    /// WebSocket tunnels, per backend index.
    public var tunnels: [Int] = []
    /// Requests answered, keyed by route index (-1: no route matched / refused before routing) and status.
    public var requests: [RequestKey: Int] = [:]
    public var messagesDelivered = 0
    public var subscribersDropped: [String: Int] = [:]
    public var timeouts: [String: Int] = [:]
    /// By `TLSHandshakeFailure` reason.
    public var tlsHandshakeFailures: [String: Int] = [:]
    /// Finished handshakes, by `TLSRecordKeeper`.
    public var tlsHandshakes: [String: Int] = [:]
    /// This worker's channels, for counting distinct channels over all workers.
    public var channelSketch = ChannelSketch()
    public var subscribers = 0
    /// Frames and their bytes between Holdfast and the WebSocket clients it serves itself
    /// (`subscribe = "websocket"`, `websocket = "grip"`; tunnels are not parsed).
    public var webSocketFramesIn = 0
    public var webSocketFramesOut = 0
    public var webSocketBytesIn = 0
    public var webSocketBytesOut = 0
    /// Close frames Holdfast sent, by code.
    public var webSocketCloses: [String: Int] = [:]
    /// What OpenSSL's own heap has mapped (`CTLSHeap`; TLS workers only).
    public var tlsHeapBytes = 0

    public struct RequestKey: Hashable, Sendable {
        public var route: Int
        public var status: Int
        public init(route: Int, status: Int) {
            self.route = route
            self.status = status
        }
    }

    public init() {}

    public var heldTotal: Int { heldResponses + heldStreams + heldSSE + heldWebSockets }
}

extension WorkerStats {
    func encode(into writer: inout ByteWriter) {
        for value in [clientConnections, heldResponses, heldStreams, heldSSE, heldWebSockets, messagesDelivered, subscribers,
                      webSocketFramesIn, webSocketFramesOut, webSocketBytesIn, webSocketBytesOut, tlsHeapBytes] {
            writer.int(value)
        }
        writer.bytes(channelSketch.registers)
        writeInts(poolIdle, into: &writer)
        writeInts(poolBusy, into: &writer)
        writeInts(tunnels, into: &writer)
        writer.count(requests.count)
        for (key, count) in requests {
            writer.int(key.route)
            writer.int(key.status)
            writer.int(count)
        }
        writeCounts(subscribersDropped, into: &writer)
        writeCounts(timeouts, into: &writer)
        writeCounts(tlsHandshakeFailures, into: &writer)
        writeCounts(tlsHandshakes, into: &writer)
        writeCounts(webSocketCloses, into: &writer)
    }

    static func decode(from reader: inout ByteReader) throws(WireError) -> WorkerStats {
        var stats = WorkerStats()
        stats.clientConnections = try reader.int("client connections")
        stats.heldResponses = try reader.int("held responses")
        stats.heldStreams = try reader.int("held streams")
        stats.heldSSE = try reader.int("held SSE")
        stats.heldWebSockets = try reader.int("held WebSockets")
        stats.messagesDelivered = try reader.int("messages delivered")
        stats.subscribers = try reader.int("subscribers")
        stats.webSocketFramesIn = try reader.int("WebSocket frames in")
        stats.webSocketFramesOut = try reader.int("WebSocket frames out")
        stats.webSocketBytesIn = try reader.int("WebSocket bytes in")
        stats.webSocketBytesOut = try reader.int("WebSocket bytes out")
        stats.tlsHeapBytes = try reader.int("TLS heap bytes")
        let registers = try reader.bytes("channel sketch")
        guard registers.count == ChannelSketch.registerCount else {
            throw WireError(reason: "channel sketch expected \(ChannelSketch.registerCount) registers; got \(registers.count)")
        }
        stats.channelSketch = ChannelSketch(registers: registers)
        stats.poolIdle = try readInts("idle pool connections", from: &reader)
        stats.poolBusy = try readInts("busy pool connections", from: &reader)
        stats.tunnels = try readInts("tunnels", from: &reader)
        for _ in 0..<(try reader.count("request counters", minimumElementBytes: 24)) {
            let key = RequestKey(route: try reader.int("route"), status: try reader.int("status"))
            stats.requests[key] = try reader.int("request count")
        }
        stats.subscribersDropped = try readCounts("drop counters", from: &reader)
        stats.timeouts = try readCounts("timeout counters", from: &reader)
        stats.tlsHandshakeFailures = try readCounts("TLS handshake failure counters", from: &reader)
        stats.tlsHandshakes = try readCounts("TLS handshake counters", from: &reader)
        stats.webSocketCloses = try readCounts("WebSocket close counters", from: &reader)
        return stats
    }
}

private func writeInts(_ values: [Int], into writer: inout ByteWriter) {
    writer.count(values.count)
    for value in values { writer.int(value) }
}

private func readInts(_ field: String, from reader: inout ByteReader) throws(WireError) -> [Int] {
    var values: [Int] = []
    for _ in 0..<(try reader.count(field, minimumElementBytes: 8)) { values.append(try reader.int(field)) }
    return values
}

private func writeCounts(_ counts: [String: Int], into writer: inout ByteWriter) {
    writer.count(counts.count)
    for (name, count) in counts {
        writer.string(name)
        writer.int(count)
    }
}

private func readCounts(_ field: String, from reader: inout ByteReader) throws(WireError) -> [String: Int] {
    var counts: [String: Int] = [:]
    for _ in 0..<(try reader.count(field, minimumElementBytes: 12)) {
        let name = try reader.string("\(field) name")
        counts[name] = try reader.int("\(field) value")
    }
    return counts
}
