// libFuzzer target for the response side of the HTTP1 module: compiled with Sources/HTTP1 by run.sh.
// The input is what a backend sends. It goes through what a relay does with it: heads (interim 1xx
// ones skipped) and then the body as the final head frames it. Arriving whole or in many pieces must
// give the same heads, body and byte counts (else a relay would desync from its backend), and the
// response written back with HeadSerializer must read the same to the client.

private let backendMaxHeadBytes = 1024
private let methods = ["GET", "HEAD", "POST", "CONNECT"]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    guard let steering = bytes.last else { return 0 }
    // The last byte picks the request method and how the bytes are cut, so the fuzzer can steer both.
    let method = methods[Int(steering & 3)]
    let whole = relay(bytes, method: method, pieceEnds: [size])
    let pieceEnds = PieceCuts(seed: steering >> 2).ends(count: size)
    let pieced = relay(bytes, method: method, pieceEnds: pieceEnds)
    check(pieced == whole, "\(method) response in pieces ending at \(pieceEnds) gave \(pieced), whole gave \(whole)")
    checkRelayedResponse(whole, method: method)
    return 0
}

/// What a relay made of the backend's bytes.
private struct Relayed: Equatable {
    /// Interim heads first, then the final one.
    var heads: [ResponseHead] = []
    var headBytes = 0
    var headError: HTTPResponseError?
    var body: [UInt8] = []
    /// Framed body bytes consumed; bytes after the body belong to the next response.
    var bodyBytes = 0
    var bodyComplete = false
    var bodyError: HTTPRequestError?
}

private func relay(_ bytes: UnsafeRawBufferPointer, method: String, pieceEnds: [Int],
                   maxHeadBytes: Int = backendMaxHeadBytes) -> Relayed {
    var relay = Relay(method: method, maxHeadBytes: maxHeadBytes)
    var start = 0
    for end in pieceEnds {
        relay.receive(bytes.slice(start..<end))
        start = end
    }
    relay.endOfInput()
    return relay.relayed
}

/// Heads and body as an upstream connection reads them, one received piece at a time.
private struct Relay {
    let method: String
    let maxHeadBytes: Int
    var relayed = Relayed()
    private var headParser: ResponseHeadParser
    private var headBuffer: [UInt8] = []
    private var body: DecodedBody?
    private var stopped = false

    init(method: String, maxHeadBytes: Int) {
        self.method = method
        self.maxHeadBytes = maxHeadBytes
        headParser = ResponseHeadParser(maxHeadBytes: maxHeadBytes, requestMethod: method)
    }

    mutating func receive(_ piece: UnsafeRawBufferPointer) {
        guard !stopped else { return }
        if body != nil { return receiveBody(piece) }
        // The head parser is given every byte of the head so far, as its contract asks.
        headBuffer.append(contentsOf: piece)
        var parser = headParser
        let parsed = headBuffer.withUnsafeBytes { buffer in outcome { () throws(HTTPResponseError) in try parser.parse(buffer) } }
        headParser = parser
        let head: ResponseHead, headLength: Int
        switch parsed {
        case .success(.incomplete):
            return
        case let .success(.complete(parsedHead, length)):
            (head, headLength) = (parsedHead, length)
        case let .failure(error):
            relayed.headError = error
            stopped = true
            return
        }
        check(headLength <= headBuffer.count && headLength <= maxHeadBytes, "head length \(headLength) out of bounds")
        relayed.heads.append(head)
        relayed.headBytes += headLength
        let rest = Array(headBuffer[headLength...])
        headBuffer = []
        if (100..<200).contains(head.status) {
            headParser = ResponseHeadParser(maxHeadBytes: maxHeadBytes, requestMethod: method)
        } else {
            body = DecodedBody(head.framing)
            if body!.isComplete { return finish() }
        }
        if !rest.isEmpty { rest.withUnsafeBytes { receive($0) } }
    }

    private mutating func receiveBody(_ piece: UnsafeRawBufferPointer) {
        do {
            let consumed = try body!.consume(piece) { relayed.body.append(contentsOf: $0) }
            check(consumed <= piece.count, "the body consumed \(consumed) of \(piece.count) bytes")
            relayed.bodyBytes += consumed
            if body!.isComplete { return finish() }
            check(consumed == piece.count, "an unfinished body must consume everything offered")
        } catch {
            relayed.bodyError = error
            // The bytes of the failing call are not reported, so the count depends on the cuts.
            relayed.bodyBytes = 0
            stopped = true
        }
    }

    mutating func endOfInput() {
        guard !stopped, var reader = body else { return }
        if reader.endOfInput() { finish() }
        body = reader
    }

    private mutating func finish() {
        relayed.bodyComplete = true
        stopped = true
    }
}

/// Where the input is cut into pieces: lengths from a small generator, so one seed gives many cuts.
private struct PieceCuts {
    private let seed: UInt32
    private let maxPieceBytes: Int

    init(seed: UInt8) {
        self.seed = UInt32(seed) &* 2_654_435_761 | 1
        maxPieceBytes = 1 << Int(seed % 8)
    }

    func ends(count: Int) -> [Int] {
        var state = seed
        var ends: [Int] = []
        var end = 0
        while end < count {
            state = state &* 1_103_515_245 &+ 12345
            end = min(count, end + 1 + Int(state >> 16) % maxPieceBytes)
            ends.append(end)
        }
        return ends
    }
}

/// The final head and complete body as a relay writes them to its client, read back as that client would.
private func checkRelayedResponse(_ relayed: Relayed, method: String) {
    guard relayed.bodyComplete, let head = relayed.heads.last else { return }
    var headers = head.headers
    for name in ["Content-Length", "Transfer-Encoding", "Connection"] { headers.remove(name) }
    var body: [UInt8] = []
    switch head.framing {
    case .none:
        body = []
    case .contentLength:
        headers.add("Content-Length", String(relayed.body.count))
        body = relayed.body
    case .chunked:
        headers.add("Transfer-Encoding", "chunked")
        body = ChunkedEncoder.chunk(relayed.body) + ChunkedEncoder.lastChunk
    case .untilClose:
        headers.add("Connection", "close")
        body = relayed.body
    }
    let written = HeadSerializer.response(status: head.status, reason: head.reason, headers: headers)
    // Repaired invalid UTF-8 (one byte in, three out) can make the head outgrow our limit: not the client's.
    let readBack = (written + body).withUnsafeBytes {
        relay($0, method: method, pieceEnds: [$0.count], maxHeadBytes: written.count)
    }
    guard readBack.heads.count == 1, let readHead = readBack.heads.first else {
        fail("relayed response \(written + body) read back as \(readBack)")
    }
    check(readHead.status == head.status && readHead.reason == head.reason && readHead.headers == headers,
          "relayed head read back as \(readHead), written from \(head)")
    check(readBack.body == relayed.body && readBack.bodyComplete
              && readBack.headBytes + readBack.bodyBytes == written.count + body.count,
          "relayed body read back as \(readBack), relayed \(relayed)")
}
