import HTTP1

/// What every WebSocket-over-HTTP request of one connection carries: the client's handshake,
/// replayed as a POST (without what each request sets itself), its address, and the connection's
/// id. Kept compact, since every held connection has one: the address, target and fields are one
/// byte block, each string after its length, with the key's value left out so that clients sending
/// the same handshake share one interned block; the key and the id are inline.
struct OverHTTPRequestHead {
    private let packed: [UInt8]
    /// The handshake check admits only a 24-character key (RFC 6455 §4.1: 16 bytes in base64).
    private let keyBytes: InlineArray<24, UInt8>
    private let id: (UInt64, UInt64)

    private static let keyField = "sec-websocket-key"

    /// `intern`: shares equal blocks between connections.
    init(handshake: RequestHead, clientIP: String, intern: ([UInt8]) -> [UInt8]) {
        var packed: [UInt8] = []
        Self.append(clientIP, to: &packed)
        Self.append(handshake.target, to: &packed)
        // What each request sets itself, and the client's own Meta-* (only the backend sets those).
        for (name, value) in handshake.headers where !Self.isSetPerRequest(name) {
            Self.append(name, to: &packed)
            Self.append(name.equalsIgnoringASCIICase(Self.keyField) ? "" : value, to: &packed)
        }
        self.packed = intern(packed)
        var keyBytes = InlineArray<24, UInt8>(repeating: 0)
        for (index, byte) in (handshake.headers[Self.keyField] ?? "").utf8.prefix(24).enumerated() { keyBytes[index] = byte }
        self.keyBytes = keyBytes
        id = (UInt64.random(in: .min ... .max), UInt64.random(in: .min ... .max))
    }

    var key: String { keyBytes.span.withUnsafeBufferPointer { String(decoding: $0, as: UTF8.self) } }

    /// One request's wire bytes; `meta`: the backend's `Set-Meta-*` so far.
    func request(body: [UInt8], meta: [(name: String, value: String)], scheme: String, gripSignature: String,
                 backendAddress: String) -> [UInt8] {
        var index = 0
        let clientIP = Self.string(in: packed, at: &index)
        let target = Self.string(in: packed, at: &index)
        var headers = HTTPHeaders()
        while index < packed.count {
            let name = Self.string(in: packed, at: &index)
            let value = Self.string(in: packed, at: &index)
            headers.add(name, name.equalsIgnoringASCIICase(Self.keyField) ? key : value)
        }
        // Offered to the backend, as Pushpin does: a GRIP library answers it to enable control messages.
        headers.add("Sec-WebSocket-Extensions", "grip")
        headers.add("Connection-Id", String(id.0, radix: 16) + "-" + String(id.1, radix: 16))
        headers.add("Content-Type", WebSocketOverHTTP.contentType)
        headers.add("Accept", WebSocketOverHTTP.contentType)
        for (name, value) in meta { headers.add("Meta-" + name, value) }
        // A handshake is HTTP/1.1 (the check refuses others) and has no body.
        let head = RequestHead(method: "POST", target: target, version: .http11, headers: headers, framing: .none, keepAlive: true)
        return ProxyHeaders.upstreamRequest(head, clientIP: clientIP, scheme: scheme, gripSignature: gripSignature,
                                            bodyFraming: .contentLength(UInt64(body.count)), backendAddress: backendAddress) + body
    }

    private static func isSetPerRequest(_ name: String) -> Bool {
        ["upgrade", "connection-id", "content-length", "content-type", "accept", "sec-websocket-extensions"]
            .contains { name.equalsIgnoringASCIICase($0) } || name.hasPrefixIgnoringASCIICase("meta-")
    }

    /// The length in 7-bit groups, low first (one byte below 128), then the UTF-8.
    private static func append(_ string: String, to packed: inout [UInt8]) {
        var length = string.utf8.count
        while length >= 0x80 {
            packed.append(UInt8(length & 0x7F) | 0x80)
            length >>= 7
        }
        packed.append(UInt8(length))
        packed.append(contentsOf: string.utf8)
    }

    private static func string(in packed: [UInt8], at index: inout Int) -> String {
        var length = 0, shift = 0
        while packed[index] & 0x80 != 0 {
            length |= Int(packed[index] & 0x7F) << shift
            shift += 7
            index += 1
        }
        length |= Int(packed[index]) << shift
        index += 1 + length
        return String(decoding: packed[(index - length)..<index], as: UTF8.self)
    }
}
