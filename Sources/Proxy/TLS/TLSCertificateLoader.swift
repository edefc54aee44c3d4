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
        let pairs = [(nil, tls.certificatePath, tls.privateKeyPath)]
            + tls.sni.enumerated().map { (Optional($0), $1.certificatePath, $1.privateKeyPath) }
        var loaded: [CertificatePEM] = []
        var problems: [String] = []
        // The file as it is now: had it changed since it was parsed, a line is merely left out.
        let lines = (try? readFile(configFile)).flatMap { String(validating: $0, as: UTF8.self) }.map(ConfigFileLines.init(text:))
        for (sniEntry, certificatePath, keyPath) in pairs {
            do {
                loaded.append(try loadPair(certificatePath: certificatePath, keyPath: keyPath, minimumVersion: tls.minVersion))
            } catch {
                let entry = sniEntry.map { "server.tls.sni[\($0)]" } ?? "server.tls"
                let line = lines?.lineOfTLSKey(error.key, sniEntry: sniEntry).map { "\($0):" } ?? ""
                problems.append("\(configFile):\(line) \(entry): \(error.message)")
            }
        }
        guard problems.isEmpty else { throw ConfigError(problems: problems) }
        return loaded
    }

    private struct PairFailure: Error {
        /// The key whose file is at fault: `certificate` or `private_key`.
        let key: String
        let message: String
    }

    private static func loadPair(certificatePath: String, keyPath: String, minimumVersion: TLSVersion) throws(PairFailure) -> CertificatePEM {
        let pem = CertificatePEM(certificate: try read(certificatePath, as: "certificate"), privateKey: try read(keyPath, as: "private_key"))
        do {
            _ = try TLSContext(pem, minimumVersion: minimumVersion)
        } catch {
            let (key, subject) = switch error.kind {
            case .certificate: ("certificate", "certificate \(certificatePath)")
            case .privateKey: ("private_key", "private_key \(keyPath)")
            case .mismatch, .setup: ("private_key", "private_key \(keyPath) with certificate \(certificatePath)")
            }
            throw PairFailure(key: key, message: "\(subject): \(error.message)")
        }
        return pem
    }

    private static func read(_ path: String, as key: String) throws(PairFailure) -> [UInt8] {
        do {
            return try readFile(path)
        } catch {
            throw PairFailure(key: key, message: "\(key) \(path) cannot be read: \(error.reason)")
        }
    }
}

extension TLSContext {
    convenience init(_ pem: CertificatePEM, minimumVersion: TLSVersion) throws(TLSError) {
        try self.init(certificatePEM: pem.certificate, privateKeyPEM: pem.privateKey,
                      minimumVersion: minimumVersion == .tls13 ? .tls13 : .tls12)
    }
}
