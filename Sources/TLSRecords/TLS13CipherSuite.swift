/// The TLS 1.3 cipher suites OpenSSL negotiates by default (RFC 8446 §B.4), by their protocol id.
public enum TLS13CipherSuite: UInt16, Sendable {
    case aes128GCMSHA256 = 0x1301
    case aes256GCMSHA384 = 0x1302
    case chacha20Poly1305SHA256 = 0x1303

    var keyLength: Int { self == .aes128GCMSHA256 ? 16 : 32 }
    /// The length of the suite's hash, and so of its traffic secrets.
    public var secretLength: Int { self == .aes256GCMSHA384 ? 48 : 32 }
}
