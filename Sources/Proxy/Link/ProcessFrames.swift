import Wire

/// What the master tells a worker over their socketpair.
public enum MasterFrame: Sendable, Equatable {
    /// The first frame a worker gets: its configuration (already validated by the master), backend
    /// health, and the `[server.tls]` certificates the master loaded (`TLSCertificateLoader`).
    case configure(fileName: String, text: String, backendsUp: [Bool], certificates: [CertificatePEM])
    /// Publishes numbered `firstID`, `firstID + 1`, …, each one's items encoded with `PublishCodec`:
    /// what reached the master in one pass of its loop. The worker answers one `publishAck` with the same id.
    case publish(firstID: UInt64, batches: [[UInt8]])
    case backendHealth(up: [Bool])
    case statsRequest(id: UInt64)
    /// Reload: stop accepting; keep serving the connections already open (held ones still get publishes); exit when none remain.
    case retire
    /// Shutdown: stop accepting, answer holds with their timeout response, end streams, finish in-flight requests within the drain time, exit 0.
    case drain
    /// The answer to `historyRequest`: the channel's messages after the id, from Redis (`PublishCodec` items, ids set).
    case history(id: UInt64, items: [UInt8])
}

/// What a worker tells the master.
public enum WorkerFrame: Sendable, Equatable {
    /// For each publish of the frame, in order: how many held connections it reached.
    case publishAck(firstID: UInt64, delivered: [Int])
    case stats(id: UInt64, WorkerStats)
    /// Passive health: connecting to or talking with this backend (index in the worker's configuration) failed.
    case backendFailed(index: Int)
    /// A connection to this backend succeeded.
    case backendSucceeded(index: Int)
    /// With `[cluster]`: the channel got its first subscriber on this worker, or lost its last one.
    case channelActive(String)
    case channelIdle(String)
    /// With `[cluster]`: the messages Redis's history holds after `afterID` (answered with `history`).
    case historyRequest(id: UInt64, channel: String, afterID: String)
}

extension MasterFrame {
    public func encoded() -> [UInt8] {
        var writer = ByteWriter()
        switch self {
        case let .configure(fileName, text, backendsUp, certificates):
            writer.u8(1)
            writer.string(fileName)
            writer.string(text)
            writeFlags(backendsUp, into: &writer)
            CertificatePEM.encode(certificates, into: &writer)
        case let .publish(firstID, batches):
            writer.u8(2)
            writer.u64(firstID)
            writer.count(batches.count)
            for items in batches { writer.bytes(items) }
        case let .backendHealth(up):
            writer.u8(3)
            writeFlags(up, into: &writer)
        case let .statsRequest(id):
            writer.u8(4)
            writer.u64(id)
        case .retire:
            writer.u8(5)
        case .drain:
            writer.u8(6)
        case let .history(id, items):
            writer.u8(7)
            writer.u64(id)
            writer.bytes(items)
        }
        return writer.output
    }

    public init(decoding bytes: [UInt8]) throws(WireError) {
        var reader = ByteReader(bytes)
        switch try reader.u8("frame kind") {
        case 1: self = .configure(fileName: try reader.string("file name"), text: try reader.string("config text"),
                                  backendsUp: try readFlags(from: &reader), certificates: try CertificatePEM.decodeList(from: &reader))
        case 2:
            let firstID = try reader.u64("publish id")
            var batches: [[UInt8]] = []
            for _ in 0..<(try reader.count("publishes", minimumElementBytes: 4)) { batches.append(try reader.bytes("publish items")) }
            self = .publish(firstID: firstID, batches: batches)
        case 3: self = .backendHealth(up: try readFlags(from: &reader))
        case 4: self = .statsRequest(id: try reader.u64("stats id"))
        case 5: self = .retire
        case 6: self = .drain
        case 7: self = .history(id: try reader.u64("history id"), items: try reader.bytes("history items"))
        case let kind: throw WireError(reason: "frame kind expected 1 to 7; got \(kind)")
        }
        try reader.expectEnd(after: "the frame's fields")
    }
}

extension WorkerFrame {
    public func encoded() -> [UInt8] {
        var writer = ByteWriter()
        switch self {
        case let .publishAck(firstID, delivered):
            writer.u8(1)
            writer.u64(firstID)
            writer.count(delivered.count)
            for count in delivered { writer.int(count) }
        case let .stats(id, stats):
            writer.u8(2)
            writer.u64(id)
            stats.encode(into: &writer)
        case let .backendFailed(index):
            writer.u8(3)
            writer.int(index)
        case let .backendSucceeded(index):
            writer.u8(4)
            writer.int(index)
        case let .channelActive(channel):
            writer.u8(5)
            writer.string(channel)
        case let .channelIdle(channel):
            writer.u8(6)
            writer.string(channel)
        case let .historyRequest(id, channel, afterID):
            writer.u8(7)
            writer.u64(id)
            writer.string(channel)
            writer.string(afterID)
        }
        return writer.output
    }

    public init(decoding bytes: [UInt8]) throws(WireError) {
        var reader = ByteReader(bytes)
        switch try reader.u8("frame kind") {
        case 1:
            let firstID = try reader.u64("publish id")
            var delivered: [Int] = []
            for _ in 0..<(try reader.count("publishes", minimumElementBytes: 8)) { delivered.append(try reader.int("delivered")) }
            self = .publishAck(firstID: firstID, delivered: delivered)
        case 2: self = .stats(id: try reader.u64("stats id"), try WorkerStats.decode(from: &reader))
        case 3: self = .backendFailed(index: try reader.int("backend index"))
        case 4: self = .backendSucceeded(index: try reader.int("backend index"))
        case 5: self = .channelActive(try reader.string("channel"))
        case 6: self = .channelIdle(try reader.string("channel"))
        case 7: self = .historyRequest(id: try reader.u64("history id"), channel: try reader.string("channel"), afterID: try reader.string("after id"))
        case let kind: throw WireError(reason: "frame kind expected 1 to 7; got \(kind)")
        }
        try reader.expectEnd(after: "the frame's fields")
    }
}

private func writeFlags(_ flags: [Bool], into writer: inout ByteWriter) {
    writer.count(flags.count)
    for flag in flags { writer.bool(flag) }
}

private func readFlags(from reader: inout ByteReader) throws(WireError) -> [Bool] {
    var flags: [Bool] = []
    for _ in 0..<(try reader.count("backend flags")) { flags.append(try reader.bool("backend flag")) }
    return flags
}
