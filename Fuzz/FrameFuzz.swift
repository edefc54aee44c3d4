import Wire

// libFuzzer target for the WebSocket codec: compiled with Sources/WebSocket (and Wire) by run.sh.
// The frame reader must give the same answer whether the input arrives whole, in two pieces or
// byte by byte, and whatever it accepts must satisfy RFC 6455's limits. The same bytes go through
// the WebSocket-over-HTTP events decoder, under the same rule, and what it accepts must survive
// encoding and decoding again.

private let maxMessageBytes = 1024

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    // The split point comes from the data so that the fuzzer can steer it.
    let split = size == 0 ? 0 : Int(bytes[size - 1]) * 7 % (size + 1)
    let whole = read(bytes, pieces: [size])
    check(read(bytes, pieces: [split, size]) == whole, "split at \(split) disagrees with whole")
    check(read(bytes, pieces: Array(1...max(size, 1)).map { min($0, size) }) == whole, "byte by byte disagrees with whole")
    if case let .success(events) = whole { events.forEach(checkEvent) }
    checkHandshake(bytes)
    checkOverHTTPEvents(Array(bytes), split: split)
    return 0
}

private func checkOverHTTPEvents(_ bytes: [UInt8], split: Int) {
    func decode(_ pieces: [ArraySlice<UInt8>]) -> Result<[OverHTTPEvent], OverHTTPEventError> {
        var decoder = OverHTTPEventDecoder(maxContentBytes: maxMessageBytes)
        return outcome { () throws(OverHTTPEventError) in
            var events: [OverHTTPEvent] = []
            for piece in pieces { events += try decoder.read(piece) }
            try decoder.finish()
            return events
        }
    }
    let whole = decode([bytes[...]])
    check(decode([bytes[..<split], bytes[split...]]) == whole, "events split at \(split) disagree with whole")
    check(decode(bytes.indices.map { bytes[$0...$0] }) == whole, "events byte by byte disagree with whole")
    if case let .success(events) = whole {
        check(decode([OverHTTPEventCodec.encode(events)[...]]) == whole, "events do not survive encoding: \(events)")
    }
}

private func read(_ bytes: UnsafeRawBufferPointer, pieces: [Int]) -> Result<[WebSocketEvent], WebSocketError> {
    var reader = FrameReader(maxMessageBytes: maxMessageBytes)
    var events: [WebSocketEvent] = []
    var start = 0
    for end in pieces {
        switch outcome({ () throws(WebSocketError) in try reader.read(UnsafeRawBufferPointer(rebasing: bytes[start..<end])) }) {
        case let .success(more): events += more
        case let .failure(error): return .failure(error)
        }
        start = end
    }
    return .success(events)
}

private func checkEvent(_ event: WebSocketEvent) {
    switch event {
    case let .text(payload):
        check(payload.count <= maxMessageBytes, "text of \(payload.count) bytes")
        check(Array(String(decoding: payload, as: UTF8.self).utf8) == payload, "text accepted that is not UTF-8")
    case let .binary(payload):
        check(payload.count <= maxMessageBytes, "binary of \(payload.count) bytes")
    case let .ping(payload), let .pong(payload):
        check(payload.count <= 125, "control payload of \(payload.count) bytes")
    case let .close(code, reason):
        check(code.map(CloseCode.isValidOnWire) ?? reason.isEmpty, "close code \(String(describing: code)) accepted")
        check(reason.utf8.count <= 123, "close reason of \(reason.utf8.count) bytes")
    }
}

/// The same bytes as header lines ("name: value" per line): a handshake judged valid has a 16-byte key.
private func checkHandshake(_ bytes: UnsafeRawBufferPointer) {
    let fields = String(decoding: bytes, as: UTF8.self).split(separator: "\n").map { line in
        let parts = line.split(separator: ":", maxSplits: 1)
        return (name: String(parts.first ?? ""), value: String(parts.count > 1 ? parts[1] : ""))
    }
    if case let .valid(key) = Handshake.check(method: "GET", isHTTP11: true, fields: fields) {
        check(Base64.decode(key)?.count == 16, "key \(key) accepted")
    }
}
