// libFuzzer target for the publish decoders of the GRIP module: compiled by run.sh with Sources/GRIP,
// less GripSigner.swift, which alone needs swift-crypto. The input is tried as the JSON body of
// POST /publish/ and as a master → worker PublishCodec frame. Whatever the JSON parser accepts must
// reach the workers unchanged; whatever the frame decoder accepts must be the encoding of what it read.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: data, count: size))
    checkPublishJSON(bytes)
    checkPublishFrame(bytes)
    return 0
}

private func checkPublishJSON(_ bytes: [UInt8]) {
    guard let items = try? PublishRequest.parseJSON(bytes) else { return }
    check(!items.isEmpty, "an accepted publish request has items")
    for item in items {
        check((try? PublishRequest.validate(channel: item.channel)) != nil, "accepted an invalid channel \(item.channel.debugDescription)")
        check(item.httpResponse != nil || item.httpStream != nil || item.wsMessage != nil, "accepted an item with no format: \(item)")
        // An interim status would leave the held client waiting for another response (docs/architecture.md).
        if let code = item.httpResponse?.code { check((200...599).contains(code), "accepted a published status \(code)") }
    }
    let frame = PublishCodec.encode(items)
    switch outcome({ () throws(PublishError) in try PublishCodec.decode(frame) }) {
    case .success(let decoded):
        check(decoded == items, "publish frame decoded to \(decoded), encoded from \(items)")
    case .failure(let error):
        fail("publish frame of \(items) refused: \(error.reason)")
    }
}

private func checkPublishFrame(_ bytes: [UInt8]) {
    guard let items = try? PublishCodec.decode(bytes) else { return }
    let frame = PublishCodec.encode(items)
    check(frame == bytes, "frame \(bytes) decoded to \(items), which encodes to \(frame)")
}
