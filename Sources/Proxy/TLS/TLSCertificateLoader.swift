import Config
import EventLoop

/// Reads every certificate and key of `[server.tls]` and checks, with OpenSSL, that each pair loads
/// and belongs together: at start, at `--check-config` and at every reload, where a failure rejects
/// the whole file (docs/operations.md).
public enum TLSCertificateLoader {
    /// The default certificate first, then one per `[[server.tls.sni]]` entry; empty without TLS.
    /// Errors are full lines naming the configuration file, the entry and the file at fault.
    public static func load(_ config: ProxyConfig, configFile: String) throws(ConfigError) -> [CertificatePEM] {
        guard let tls = config.server.tls else { return [] }
        let pairs = [("server.tls", tls.certificatePath, tls.privateKeyPath)]
            + tls.sni.enumerated().map { ("server.tls.sni[\($0)]", $1.certificatePath, $1.privateKeyPath) }
        var loaded: [CertificatePEM] = []
        var problems: [String] = []
        for (entry, certificatePath, keyPath) in pairs {
            do {
                loaded.append(try loadPair(certificatePath: certificatePath, keyPath: keyPath, minimumVersion: tls.minVersion))
            } catch {
                problems.append("\(configFile): \(entry): \(error.message)")
            }
        }
        guard problems.isEmpty else { throw ConfigError(problems: problems) }
        return loaded
    }

    private struct PairFailure: Error {
        let message: String
    }

    private static func loadPair(certificatePath: String, keyPath: String, minimumVersion: TLSVersion) throws(PairFailure) -> CertificatePEM {
        let pem = CertificatePEM(certificate: try read(certificatePath, as: "certificate"), privateKey: try read(keyPath, as: "private_key"))
        do {
            _ = try TLSContext(pem, minimumVersion: minimumVersion)
        } catch {
            let subject = switch error.kind {
            case .certificate: "certificate \(certificatePath)"
            case .privateKey: "private_key \(keyPath)"
            case .mismatch, .setup: "private_key \(keyPath) with certificate \(certificatePath)"
            }
            throw PairFailure(message: "\(subject): \(error.message)")
        }
        return pem
    }

    private static func read(_ path: String, as key: String) throws(PairFailure) -> [UInt8] {
        do {
            return try readFile(path)
        } catch {
            throw PairFailure(message: "\(key) \(path) cannot be read: \(error.reason)")
        }
    }
}

extension TLSContext {
    convenience init(_ pem: CertificatePEM, minimumVersion: TLSVersion) throws(TLSError) {
        try self.init(certificatePEM: pem.certificate, privateKeyPEM: pem.privateKey,
                      minimumVersion: minimumVersion == .tls13 ? .tls13 : .tls12)
    }
}
