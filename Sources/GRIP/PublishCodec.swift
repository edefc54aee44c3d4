import Wire

/// Publish items as compact bytes for the master → worker socketpair: length-prefixed binary,
/// decoded once per worker, exact round trip.
///
/// Layout (integers big-endian; `str`/`bytes` = u32 length + bytes; `opt` = u8 0 | 1 then the value):
/// `u8 version=1, u32 count, count × item`;
/// item = `str channel, opt str id, opt str prevID, opt response, u8 stream (0 none | 1 content + bytes | 2 close),
/// u8 ws-message (0 none | 1 text + bytes | 2 binary + bytes | 3 close + opt u16 code + str reason)`;
/// response = `u16 code, opt str reason, u32 n, n × (str name, str value), bytes body`.
public enum PublishCodec {
    static let version: UInt8 = 2

    public static func encode(_ items: [PublishItem]) -> [UInt8] {
        var writer = ByteWriter()
        writer.u8(version)
        writer.u32(items.count)
        for item in items {
            writer.string(item.channel)
            writer.optional(item.id) { $0.string($1) }
            writer.optional(item.prevID) { $0.string($1) }
            writer.optional(item.httpResponse) { writer, response in
                writer.u16(response.code)
                writer.optional(response.reason) { $0.string($1) }
                writer.u32(response.headers.count)
                for header in response.headers {
                    writer.string(header.name)
                    writer.string(header.value)
                }
                writer.bytes(response.body)
            }
            switch item.httpStream {
            case nil: writer.u8(0)
            case .content(let content)?: writer.u8(1); writer.bytes(content)
            case .close?: writer.u8(2)
            }
            switch item.wsMessage {
            case nil: writer.u8(0)
            case .text(let content)?: writer.u8(1); writer.bytes(content)
            case .binary(let content)?: writer.u8(2); writer.bytes(content)
            case let .close(code, reason)?:
                writer.u8(3)
                writer.optional(code) { $0.u16(Int($1)) }
                writer.string(reason)
            }
        }
        return writer.output
    }

    public static func decode(_ bytes: some Collection<UInt8>) throws(PublishError) -> [PublishItem] {
        do {
            return try decodeItems(bytes)
        } catch {
            throw PublishError(reason: "publish frame \(error.reason)")
        }
    }

    private static func decodeItems(_ bytes: some Collection<UInt8>) throws(WireError) -> [PublishItem] {
        var reader = ByteReader(Array(bytes))
        let found = try reader.u8("version")
        guard found == version else {
            throw WireError(reason: "expected version \(version); got \(found)")
        }
        let count = try reader.count("item count")
        var items: [PublishItem] = []
        for _ in 0..<count {
            var item = PublishItem(channel: try reader.string("channel"))
            item.id = try reader.optional("id") { reader throws(WireError) in try reader.string("id") }
            item.prevID = try reader.optional("prev-id") { reader throws(WireError) in try reader.string("prev-id") }
            item.httpResponse = try reader.optional("http-response") { reader throws(WireError) in
                var response = PublishedResponse(code: try reader.u16("code"))
                response.reason = try reader.optional("reason") { reader throws(WireError) in try reader.string("reason") }
                let headerCount = try reader.count("header count", minimumElementBytes: 8)
                for _ in 0..<headerCount {
                    response.headers.append(.init(name: try reader.string("header name"), value: try reader.string("header value")))
                }
                response.body = try reader.bytes("body")
                return response
            }
            switch try reader.u8("http-stream tag") {
            case 0: break
            case 1: item.httpStream = .content(try reader.bytes("content"))
            case 2: item.httpStream = .close
            case let tag: throw WireError(reason: "http-stream tag expected 0, 1 or 2; got \(tag)")
            }
            switch try reader.u8("ws-message tag") {
            case 0: break
            case 1: item.wsMessage = .text(try reader.bytes("content"))
            case 2: item.wsMessage = .binary(try reader.bytes("content"))
            case 3:
                let code = try reader.optional("close code") { reader throws(WireError) in UInt16(try reader.u16("close code")) }
                item.wsMessage = .close(code: code, reason: try reader.string("close reason"))
            case let tag: throw WireError(reason: "ws-message tag expected 0 to 3; got \(tag)")
            }
            items.append(item)
        }
        try reader.expectEnd(after: "\(count) items")
        return items
    }
}
