import Config
import EventLoop

extension TLSAcceptor {
    /// A worker's acceptor for `[server.tls]`, from the certificates the master loaded and checked.
    /// The handshake counts against `timeouts.client_header`, like the request head after it.
    convenience init(config: ProxyConfig, certificates: [CertificatePEM]) throws(TLSError) {
        guard let tls = config.server.tls, certificates.count == tls.sni.count + 1 else {
            throw TLSError(kind: .setup, message: "expected \((config.server.tls?.sni.count ?? -1) + 1) certificates from the master, got \(certificates.count)")
        }
        var contexts: [TLSContext] = []
        for pem in certificates { contexts.append(try TLSContext(pem, minimumVersion: tls.minVersion)) }
        let names = ServerNameTable(tls)
        self.init(contexts: contexts, handshakeTimeout: config.timeouts.clientHeader) { names.certificate(forServerName: $0) }
    }
}
