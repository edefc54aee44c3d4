import CTLS

/// The oldest TLS version a listener accepts; TLS 1.0 and 1.1 are never offered.
public enum TLSMinimumVersion: String, Sendable {
    case tls12 = "1.2"
    case tls13 = "1.3"
}

/// Why a certificate and key cannot be used, naming what OpenSSL said.
public struct TLSError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable { case certificate, privateKey, mismatch, setup }
    public var kind: Kind
    public var message: String
    public var description: String { message }
    public init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }
}

/// One certificate and key in an OpenSSL `SSL_CTX` with Holdfast's protocol settings. Built from PEM
/// bytes, never from paths: the master reads and checks the files once, and workers build theirs from
/// the very bytes it checked (docs/architecture.md, "TLS").
public final class TLSContext {
    let raw: OpaquePointer

    /// Mozilla's "intermediate" TLS 1.2 suites (forward secret, AEAD only); TLS 1.3 keeps OpenSSL's own.
    static let tls12Ciphers = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
        + "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"

    public init(certificatePEM: [UInt8], privateKeyPEM: [UInt8], minimumVersion: TLSMinimumVersion) throws(TLSError) {
        ERR_clear_error()
        guard let context = SSL_CTX_new(TLS_server_method()) else {
            throw TLSError(kind: .setup, message: "SSL_CTX_new failed: \(Self.takeErrors())")
        }
        raw = context
        let version = minimumVersion == .tls13 ? TLS1_3_VERSION : TLS1_2_VERSION
        guard holdfast_ssl_ctx_set_min_version(context, version) == 1,
              SSL_CTX_set_cipher_list(context, Self.tls12Ciphers) == 1 else {
            throw TLSError(kind: .setup, message: "cannot set the protocol versions or ciphers: \(Self.takeErrors())")
        }
        // Partial writes for the pending queue; record buffers are released per connection (TLSStream).
        holdfast_ssl_ctx_set_server_options(context)
        // Resumption by tickets only: a server-side session cache would keep memory per client.
        holdfast_ssl_ctx_disable_session_cache(context)
        holdfast_ssl_ctx_offer_http11(context)
        // TLS 1.3 connections leave OpenSSL after their handshake (TLSStream).
        holdfast_ssl_ctx_capture_traffic_secrets(context)
        let status = certificatePEM.withUnsafeBytes { certificate in
            privateKeyPEM.withUnsafeBytes { key in
                holdfast_ssl_ctx_use_pem(context, certificate.baseAddress, Int32(certificate.count), key.baseAddress, Int32(key.count))
            }
        }
        switch Int(status) {
        case HOLDFAST_PEM_OK: break
        case HOLDFAST_PEM_BAD_CERTIFICATE:
            throw TLSError(kind: .certificate, message: "not a usable PEM certificate: \(Self.takeErrors())")
        case HOLDFAST_PEM_BAD_KEY:
            throw TLSError(kind: .privateKey, message: "not a usable PEM private key: \(Self.takeErrors())")
        default:
            throw TLSError(kind: .mismatch, message: "the private key does not match the certificate: \(Self.takeErrors())")
        }
    }

    deinit { SSL_CTX_free(raw) }

    /// OpenSSL's queued errors as one line, emptying the queue.
    static func takeErrors() -> String {
        var messages: [String] = []
        var buffer = [UInt8](repeating: 0, count: 256)
        while case let code = ERR_get_error(), code != 0 {
            buffer.withUnsafeMutableBufferPointer { ERR_error_string_n(code, $0.baseAddress, $0.count) }
            messages.append(String(decoding: buffer.prefix { $0 != 0 }, as: UTF8.self))
        }
        return messages.isEmpty ? "no detail" : messages.joined(separator: "; ")
    }
}
