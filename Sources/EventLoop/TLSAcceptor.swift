import CTLS

/// The server side of TLS for one process's TLS listeners: the default certificate, the SNI ones,
/// and the count of failed handshakes. Each accepted socket gets its own `SSL` from here
/// (`Socket(base:fd:tls:)`), which keeps this acceptor alive as long as it lives.
public final class TLSAcceptor {
    /// `contexts[0]` is the default certificate.
    private let contexts: [TLSContext]
    /// The index in `contexts` of the certificate for a requested server name; nil: the default.
    private let select: (String) -> Int?
    let handshakeTimeout: Duration
    public private(set) var handshakeFailures: [TLSHandshakeFailure: Int] = [:]
    /// Finished handshakes, by who keeps the connection's records.
    public private(set) var handshakesFinished: [TLSRecordKeeper: Int] = [:]
    /// Where TLS 1.3 connections read their records before opening them into the loop's scratch
    /// buffer: one per process, like the scratch buffer, so no connection keeps a read buffer.
    let recordInput = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)

    public init(contexts: [TLSContext], handshakeTimeout: Duration, select: @escaping (String) -> Int?) {
        precondition(!contexts.isEmpty, "a TLS acceptor needs its default certificate")
        self.contexts = contexts
        self.handshakeTimeout = handshakeTimeout
        self.select = select
        // Every connection starts on the default context, whose callback may move it to another.
        holdfast_ssl_ctx_set_servername_callback(contexts[0].raw, Self.serverNameCallback, Unmanaged.passUnretained(self).toOpaque())
    }

    deinit { recordInput.deallocate() }

    /// A new server-side `SSL` over `fd`, starting on the default certificate.
    func makeSession(fd: Int32) -> OpaquePointer? {
        guard let ssl = SSL_new(contexts[0].raw) else { return nil }
        SSL_set_fd(ssl, fd)
        SSL_set_accept_state(ssl)
        return ssl
    }

    func countFailure(_ reason: TLSHandshakeFailure) {
        handshakeFailures[reason, default: 0] += 1
    }

    func countFinished(_ keeper: TLSRecordKeeper) {
        handshakesFinished[keeper, default: 0] += 1
    }

    private static let serverNameCallback: @convention(c) (OpaquePointer?, UnsafeMutablePointer<Int32>?, UnsafeMutableRawPointer?) -> Int32 = { ssl, _, arg in
        let acceptor = Unmanaged<TLSAcceptor>.fromOpaque(arg!).takeUnretainedValue()
        if let name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name), let index = acceptor.select(String(cString: name)),
           acceptor.contexts.indices.contains(index), index != 0 {
            SSL_set_SSL_CTX(ssl, acceptor.contexts[index].raw)
        }
        return SSL_TLSEXT_ERR_OK
    }
}
