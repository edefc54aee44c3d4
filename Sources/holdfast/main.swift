import ArgumentParser
import Config
import Glibc
import Logging
import Proxy

/// `holdfast --config FILE` runs the proxy; `--check-config FILE` only validates.
/// Workers are this same binary, started by the master with `--worker`.
struct Holdfast: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "holdfast",
        abstract: "A reverse proxy that holds long-lived client connections for Comet backends (GRIP).")

    @Option(name: .long, help: "Run with this configuration file.")
    var config: String?

    @Option(name: .customLong("check-config"), help: "Validate this configuration file and exit (0: valid, 2: invalid).")
    var checkConfig: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: Logger.Level = .info

    @Option(name: .customLong("log-format"), help: "text or json.")
    var logFormat: LogFormat = .text

    @Flag(name: .long, help: .hidden)
    var worker = false

    @Option(name: .customLong("link-fd"), help: .hidden)
    var linkFD: Int32?

    @Option(name: .customLong("listen-fds"), help: .hidden)
    var listenFDs: String = ""

    @Option(name: .customLong("tls-listen-fds"), help: .hidden)
    var tlsListenFDs: String = ""

    func validate() throws {
        if worker {
            guard linkFD != nil else { throw ValidationError("--worker needs --link-fd") }
        } else if (config == nil) == (checkConfig == nil) {
            throw ValidationError("give exactly one of --config FILE or --check-config FILE")
        }
    }

    func run() throws {
        if worker {
            bootstrapLogging(level: logLevel, format: logFormat, role: "worker")
            let descriptors = { (list: String) in list.split(separator: ",").compactMap { Int32($0) } }
            throw ExitCode(Worker(linkFD: linkFD!, listenFDs: descriptors(listenFDs), tlsListenFDs: descriptors(tlsListenFDs),
                                  logger: Logger(label: "holdfast.worker")).run())
        }
        if let path = checkConfig {
            _ = try load(path)
            print("\(path): configuration is valid")
            return
        }
        let path = config!
        let (loaded, certificates) = try load(path)
        bootstrapLogging(level: logLevel, format: logFormat, role: "master")
        let master = Master(configPath: path, config: loaded, certificates: certificates, logger: Logger(label: "holdfast.master"),
                            workerArguments: ["--log-level", logLevel.rawValue, "--log-format", logFormat.rawValue])
        throw ExitCode(master.run())
    }

    /// Bad configuration, a TLS certificate or key that does not load or match included, is refused
    /// before anything starts: exit 2, every problem on stderr.
    private func load(_ path: String) throws -> (ProxyConfig, [CertificatePEM]) {
        do {
            let config = try ConfigLoader.load(path: path)
            return (config, try TLSCertificateLoader.load(config, configFile: path))
        } catch {
            let text = error.problems.joined(separator: "\n") + "\n"
            _ = text.withCString { write(2, $0, strlen($0)) }
            throw ExitCode(2)
        }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
extension LogFormat: ExpressibleByArgument {}

Holdfast.main()
