import Config

/// Which certificate a TLS client gets for the server name it sent (SNI): the first
/// `[[server.tls.sni]]` entry listing a matching name, else the default one.
struct ServerNameTable: Sendable {
    private let rules: [(rule: HostRule, certificate: Int)]

    init(_ tls: TLSListenConfig) {
        rules = tls.sni.enumerated().flatMap { index, entry in
            entry.serverNames.map { (HostRule($0), index + 1) }
        }
    }

    /// 0 for the default certificate, else 1 + the index of the `sni` entry.
    func certificate(forServerName name: String) -> Int {
        guard let host = HostName.normalized(name) else { return 0 }
        return rules.first { $0.rule.matches(host) }?.certificate ?? 0
    }
}
