import Wire

/// Whether a request is a valid opening handshake (RFC 6455 §4.2.1): a GET in HTTP/1.1 with
/// `Upgrade: websocket`, `Connection` naming `upgrade`, one `Sec-WebSocket-Key` that is the
/// base64 of 16 bytes and `Sec-WebSocket-Version: 13`. A wrong or missing version is answered
/// 426 with the version understood (§4.2.2); anything else wrong is 400.
public enum Handshake {
    public static let version = "13"

    /// The request asks for a WebSocket (`Upgrade` lists `websocket`): it must then be a valid handshake.
    public static func isUpgrade(_ fields: [(name: String, value: String)]) -> Bool {
        tokens(named: "upgrade", in: fields).contains("websocket")
    }

    public static func check(method: String, isHTTP11: Bool, fields: [(name: String, value: String)]) -> HandshakeVerdict {
        guard method == "GET" else { return .refused(status: 400, reason: "a WebSocket handshake is a GET") }
        guard isHTTP11 else { return .refused(status: 400, reason: "a WebSocket handshake needs HTTP/1.1") }
        guard isUpgrade(fields) else { return .refused(status: 400, reason: "Upgrade must name websocket") }
        guard tokens(named: "connection", in: fields).contains("upgrade") else {
            return .refused(status: 400, reason: "Connection must name upgrade")
        }
        let versions = values(named: "sec-websocket-version", in: fields)
        guard versions.count == 1, versions[0] == version else {
            return .refused(status: 426, reason: "Sec-WebSocket-Version must be \(version)")
        }
        let keys = values(named: "sec-websocket-key", in: fields)
        guard keys.count == 1, Base64.decode(keys[0])?.count == 16, keys[0].utf8.count == 24 else {
            return .refused(status: 400, reason: "Sec-WebSocket-Key must be the base64 of 16 bytes")
        }
        return .valid(key: keys[0])
    }

    private static func values(named name: String, in fields: [(name: String, value: String)]) -> [String] {
        fields.filter { $0.name.lowercased() == name }.map { trimmed($0.value) }
    }

    /// Comma-separated tokens of every `name` field, lowercased.
    private static func tokens(named name: String, in fields: [(name: String, value: String)]) -> [String] {
        values(named: name, in: fields).flatMap { $0.split(separator: ",").map { trimmed(Substring($0)).lowercased() } }
    }

    private static func trimmed(_ text: some StringProtocol) -> String {
        String(text.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}

public enum HandshakeVerdict: Equatable, Sendable {
    /// A valid handshake, with the client's key (for `Sec-WebSocket-Accept`).
    case valid(key: String)
    /// Answer `status` (with `headers`), and no WebSocket.
    case refused(status: Int, reason: String)

    /// A 426 names the version this server speaks (§4.2.2).
    public var headers: [(String, String)] {
        guard case .refused(426, _) = self else { return [] }
        return [("Sec-WebSocket-Version", Handshake.version)]
    }
}
