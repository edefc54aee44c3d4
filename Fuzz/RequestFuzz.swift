// libFuzzer target for the request side of the HTTP1 module: compiled with Sources/HTTP1 by run.sh.
// Each parser must give the same answer whether the input arrives whole or in two pieces.

private let limits = HTTPLimits(maxHeaderBytes: 1024, maxURIBytes: 64, maxHeaders: 8, maxBodyBytes: 4096)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    // The split point comes from the data so that the fuzzer can steer it.
    let split = size == 0 ? 0 : Int(bytes[size - 1]) * 7 % (size + 1)
    checkRequestParser(bytes, split: split)
    checkChunkedDecoder(bytes, split: split)
    return 0
}

private func checkRequestParser(_ bytes: UnsafeRawBufferPointer, split: Int) {
    let whole = outcome { () throws(HTTPRequestError) in
        var parser = RequestHeadParser(limits: limits)
        return try parser.parse(bytes)
    }
    if case let .success(.complete(_, length)) = whole {
        check(length <= bytes.count && length <= limits.maxHeaderBytes, "head length \(length) out of bounds")
    }
    var parser = RequestHeadParser(limits: limits)
    let first = outcome { () throws(HTTPRequestError) in try parser.parse(UnsafeRawBufferPointer(rebasing: bytes[0..<split])) }
    switch first {
    case .success(.incomplete):
        let second = outcome { () throws(HTTPRequestError) in try parser.parse(bytes) }
        check(second == whole, "request split at \(split) gave \(second), whole gave \(whole)")
    case .success(.complete):
        check(first == whole, "request prefix of \(split) gave \(first), whole gave \(whole)")
    case .failure:
        // An early 414/431 on the prefix may become a 400 once later bytes show a syntax error.
        guard case .failure = whole else { fail("request prefix of \(split) gave \(first), whole gave \(whole)") }
    }
}

private struct Decoded: Equatable {
    var body: [UInt8] = []
    var consumed = 0
    var finished = false
    var error: HTTPRequestError?
}

private func checkChunkedDecoder(_ bytes: UnsafeRawBufferPointer, split: Int) {
    let whole = decodeChunked(bytes, pieces: [bytes.count])
    check(whole == decodeChunked(bytes, pieces: [split, bytes.count]), "chunked split at \(split) disagrees with whole")
    check(whole.body.count <= 4096, "body limit passed: \(whole.body.count)")
}

private func decodeChunked(_ bytes: UnsafeRawBufferPointer, pieces: [Int]) -> Decoded {
    var decoder = ChunkedDecoder(maxBodyBytes: 4096)
    var decoded = Decoded()
    for end in pieces {
        do {
            let (consumed, step) = try decoder.decode(UnsafeRawBufferPointer(rebasing: bytes[decoded.consumed..<end])) {
                decoded.body.append(contentsOf: $0)
            }
            decoded.consumed += consumed
            if step == .finished {
                decoded.finished = true
                return decoded
            }
            check(decoded.consumed == end, "needMore must consume everything offered")
        } catch {
            // How much was consumed before an error is not part of the answer.
            decoded.consumed = 0
            decoded.error = error
            return decoded
        }
    }
    return decoded
}
