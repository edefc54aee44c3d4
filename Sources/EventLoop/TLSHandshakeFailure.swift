/// Why a TLS handshake did not finish (`holdfast_tls_handshake_failures_total{reason}`).
public enum TLSHandshakeFailure: String, CaseIterable, Sendable {
    /// Not finished within the listener's handshake deadline (`timeouts.client_header`).
    case timeout
    /// The client closed or reset the connection during the handshake.
    case closed
    /// The client offered only versions below the minimum (TLS 1.0, 1.1, or 1.2 under "1.3").
    case protocolVersion = "protocol_version"
    case noSharedCipher = "no_shared_cipher"
    /// Plain HTTP sent to the TLS port.
    case httpRequest = "http_request"
    /// Any other protocol error (a malformed hello, an alert from the client).
    case handshake
}
