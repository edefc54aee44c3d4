/// Who protects a connection's records once its handshake is done
/// (`holdfast_tls_handshakes_total{records}`).
public enum TLSRecordKeeper: String, CaseIterable, Sendable {
    /// TLS 1.3: Holdfast's own record layer, the `SSL` freed.
    case holdfast
    /// TLS 1.2 (or a TLS 1.3 connection OpenSSL could not hand over): OpenSSL to the end.
    case openssl
}
