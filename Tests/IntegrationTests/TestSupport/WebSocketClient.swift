/// A raw WebSocket client (RFC 6455) on an `HTTPClient`'s connection: sends the handshake and
/// masked frames byte for byte, reads the server's frames. Every read is bounded.
struct WebSocketClient {
    let http: HTTPClient
    /// RFC 6455 §1.3's sample key, and the `Sec-WebSocket-Accept` that answers it.
    static let key = "dGhlIHNhbXBsZSBub25jZQ=="
    static let accept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
    static let handshakeHeaders = [("Upgrade", "websocket"), ("Connection", "Upgrade"), ("Sec-WebSocket-Key", key),
                                   ("Sec-WebSocket-Version", "13")]

    /// Sends the opening handshake for `path` and reads the answer's head (a 101 when accepted).
    static func open(_ http: HTTPClient, path: String, headers: [(String, String)] = handshakeHeaders) throws
        -> (client: WebSocketClient, head: HTTPResponseHead) {
        try http.sendRequest("GET", path, headers: headers)
        return (WebSocketClient(http: http), try http.readResponseHead())
    }

    /// One frame as a client sends it: final, masked.
    static func frame(opcode: UInt8, _ payload: [UInt8]) -> [UInt8] {
        let mask: [UInt8] = [0x12, 0x34, 0x56, 0x78]
        var out: [UInt8] = [0x80 | opcode]
        switch payload.count {
        case ..<126: out.append(0x80 | UInt8(payload.count))
        case ..<65536: out += [0x80 | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        default: out += [0x80 | 127] + (0..<8).reversed().map { UInt8(truncatingIfNeeded: payload.count >> ($0 * 8)) }
        }
        return out + mask + payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
    }

    func send(opcode: UInt8, _ payload: [UInt8]) throws { try http.send(Self.frame(opcode: opcode, payload)) }

    func sendText(_ text: String) throws { try send(opcode: 0x1, Array(text.utf8)) }

    func sendClose(code: UInt16) throws { try send(opcode: 0x8, [UInt8(code >> 8), UInt8(code & 0xFF)]) }

    /// The next server frame (unmasked, as servers send them).
    func readFrame(timeout: Duration = .seconds(5)) throws -> (opcode: UInt8, payload: [UInt8]) {
        let header = try http.readBytes(2, timeout: timeout)
        var length = Int(header[1] & 0x7F)
        if length == 126 {
            length = try http.readBytes(2, timeout: timeout).reduce(0) { $0 << 8 | Int($1) }
        } else if length == 127 {
            length = try http.readBytes(8, timeout: timeout).reduce(0) { $0 << 8 | Int($1) }
        }
        return (header[0] & 0x0F, try http.readBytes(length, timeout: timeout))
    }

    func readText(timeout: Duration = .seconds(5)) throws -> String {
        let frame = try readFrame(timeout: timeout)
        guard frame.opcode == 0x1 else { throw HarnessError("expected a text frame, got opcode \(frame.opcode)") }
        return String(decoding: frame.payload, as: UTF8.self)
    }
}
