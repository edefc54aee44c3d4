import Crypto
import Wire

extension Handshake {
    /// `Sec-WebSocket-Accept` for a client's key (RFC 6455 §4.2.2): base64 of the SHA-1 of the key
    /// and the protocol's GUID. SHA-1 is what the protocol prescribes, not a security choice.
    public static func acceptValue(forKey key: String) -> String {
        Base64.encode(Array(Insecure.SHA1.hash(data: Array((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").utf8))))
    }
}
