/// What the master tells a worker over their socketpair.
public enum MasterFrame: Sendable, Equatable {
    /// The first frame a worker gets: its configuration (already validated by the master) and backend health.
    case configure(fileName: String, text: String, backendsUp: [Bool])
    /// A publish, items encoded with `PublishCodec`; the worker answers `publishAck` with the same id.
    case publish(id: UInt64, items: [UInt8])
    case backendHealth(up: [Bool])
    case statsRequest(id: UInt64)
    /// Reload: stop accepting; keep serving the connections already open (held ones still get publishes); exit when none remain.
    case retire
    /// Shutdown: stop accepting, answer holds with their timeout response, end streams, finish in-flight requests within the drain time, exit 0.
    case drain
}

/// What a worker tells the master.
public enum WorkerFrame: Sendable, Equatable {
    case publishAck(id: UInt64, delivered: Int)
    case stats(id: UInt64, WorkerStats)
    /// Passive health: connecting to or talking with this backend (index in the worker's configuration) failed.
    case backendFailed(index: Int)
    /// A connection to this backend succeeded.
    case backendSucceeded(index: Int)
}

extension MasterFrame {
    public func encoded() -> [UInt8] {
        var writer = ByteWriter()
        switch self {
        case let .configure(fileName, text, backendsUp):
            writer.write(1 as UInt8)
            writer.write(fileName)
            writer.write(text)
            writeFlags(backendsUp, into: &writer)
        case let .publish(id, items):
            writer.write(2 as UInt8)
            writer.write(id)
            writer.write(items)
        case let .backendHealth(up):
            writer.write(3 as UInt8)
            writeFlags(up, into: &writer)
        case let .statsRequest(id):
            writer.write(4 as UInt8)
            writer.write(id)
        case .retire:
            writer.write(5 as UInt8)
        case .drain:
            writer.write(6 as UInt8)
        }
        return writer.bytes
    }

    public init(decoding bytes: [UInt8]) throws(FrameDecodingError) {
        var reader = ByteReader(bytes)
        switch try reader.readByte() {
        case 1: self = .configure(fileName: try reader.readString(), text: try reader.readString(), backendsUp: try readFlags(from: &reader))
        case 2: self = .publish(id: try reader.readUInt64(), items: try reader.readBytes())
        case 3: self = .backendHealth(up: try readFlags(from: &reader))
        case 4: self = .statsRequest(id: try reader.readUInt64())
        case 5: self = .retire
        case 6: self = .drain
        default: throw FrameDecodingError()
        }
        guard reader.isAtEnd else { throw FrameDecodingError() }
    }
}

extension WorkerFrame {
    public func encoded() -> [UInt8] {
        var writer = ByteWriter()
        switch self {
        case let .publishAck(id, delivered):
            writer.write(1 as UInt8)
            writer.write(id)
            writer.write(delivered)
        case let .stats(id, stats):
            writer.write(2 as UInt8)
            writer.write(id)
            stats.encode(into: &writer)
        case let .backendFailed(index):
            writer.write(3 as UInt8)
            writer.write(index)
        case let .backendSucceeded(index):
            writer.write(4 as UInt8)
            writer.write(index)
        }
        return writer.bytes
    }

    public init(decoding bytes: [UInt8]) throws(FrameDecodingError) {
        var reader = ByteReader(bytes)
        switch try reader.readByte() {
        case 1: self = .publishAck(id: try reader.readUInt64(), delivered: try reader.readInt())
        case 2: self = .stats(id: try reader.readUInt64(), try WorkerStats.decode(from: &reader))
        case 3: self = .backendFailed(index: try reader.readInt())
        case 4: self = .backendSucceeded(index: try reader.readInt())
        default: throw FrameDecodingError()
        }
        guard reader.isAtEnd else { throw FrameDecodingError() }
    }
}

private func writeFlags(_ flags: [Bool], into writer: inout ByteWriter) {
    writer.write(flags.count)
    for flag in flags { writer.write(flag) }
}

private func readFlags(from reader: inout ByteReader) throws(FrameDecodingError) -> [Bool] {
    var flags: [Bool] = []
    for _ in 0..<(try reader.readInt()) { flags.append(try reader.readBool()) }
    return flags
}
