import Foundation
import Glibc

/// The real holdfast binary running a scenario's configuration, with stderr kept in a file.
final class Holdfast {
    let port: UInt16
    /// `[server.tls]`'s port, used when the scenario sets `tls`.
    let tlsPort: UInt16
    let controlPort: UInt16
    let configPath: String
    private let directory: URL
    private let stderrPath: String
    private let process: Process

    /// `HOLDFAST_BINARY`, else `.build/debug/holdfast` in the package this file belongs to.
    static func binaryURL() throws -> URL {
        let path = ProcessInfo.processInfo.environment["HOLDFAST_BINARY"] ?? URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // TestSupport
            .deletingLastPathComponent()  // IntegrationTests
            .deletingLastPathComponent()  // Tests
            .deletingLastPathComponent()
            .appendingPathComponent(".build/debug/holdfast").path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw HarnessError("holdfast binary expected at \(path) (build it, or set HOLDFAST_BINARY), not found")
        }
        return URL(fileURLWithPath: path)
    }

    /// Writes the configuration, starts holdfast and waits (bounded) until its listen port
    /// accepts connections and the control port answers `GET /healthz` with 200.
    /// `openFileLimit` sets both the soft and the hard RLIMIT_NOFILE of holdfast and its workers.
    init(_ config: ScenarioConfig, openFileLimit: Int? = nil, readyTimeout: Duration = .seconds(10)) throws {
        let binary = try Self.binaryURL()
        port = try freePort()
        tlsPort = try freePort()
        controlPort = try freePort()
        directory = try makeTemporaryDirectory()
        configPath = directory.appendingPathComponent("proxy.conf").path
        stderrPath = directory.appendingPathComponent("stderr.log").path
        try config.render(listenPort: port, tlsPort: tlsPort, controlPort: controlPort).write(toFile: configPath, atomically: true, encoding: .utf8)
        let output = try createOutputFile(atPath: stderrPath)
        process = Process()
        let arguments = ["--config", configPath, "--log-level", "debug"]
        if let openFileLimit {
            // exec keeps the pid: the process is still holdfast's master.
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "ulimit -n \(openFileLimit) && exec \"$0\" \"$@\"", binary.path] + arguments
        } else {
            process.executableURL = binary
            process.arguments = arguments
        }
        process.standardOutput = output
        process.standardError = output
        try process.run()
        do {
            try waitUntilReady(timeout: readyTimeout)
        } catch {
            stop()
            throw error
        }
    }

    deinit { stop() }

    var pid: pid_t { process.processIdentifier }

    /// Everything holdfast wrote to stderr (and stdout) so far, for failure messages.
    var stderrText: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// The exit status (128 + signal when killed by one), or nil if still running after `timeout`.
    func waitForExit(timeout: Duration) -> Int32? { process.waitForExit(timeout: timeout) }

    /// SIGTERM, then SIGKILL to the master and its workers; removes the temporary files.
    func stop() {
        process.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// The worker processes: the master's children.
    func workerPIDs() -> [pid_t] { childPIDs(of: process.processIdentifier) }

    /// A new client connection to the proxy's listen port.
    func client() throws -> HTTPClient { try HTTPClient(port: port) }

    var control: ControlClient { ControlClient(port: controlPort) }

    private func waitUntilReady(timeout: Duration) throws {
        do {
            try eventually("holdfast listens on \(port) and GET /healthz on \(controlPort) answers 200", timeout: timeout) {
                guard process.isRunning else {
                    throw HarnessError("holdfast exited with status \(process.terminationStatus)")
                }
                return isAcceptingConnections(port: port) && (try? control.healthz().status) == 200
            }
        } catch {
            throw HarnessError("\(error)\n--- holdfast stderr ---\n\(stderrText.suffix(4000))")
        }
    }

    /// Runs holdfast with `arguments` to completion (bounded), e.g. `--check-config FILE`.
    static func run(_ arguments: [String], timeout: Duration = .seconds(10)) throws -> (status: Int32, stderr: String) {
        let binary = try binaryURL()
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let stderrPath = directory.appendingPathComponent("stderr.log").path
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.standardError = try createOutputFile(atPath: stderrPath)
        try process.run()
        guard let status = process.waitForExit(timeout: timeout) else {
            process.stop()
            throw HarnessError("holdfast \(arguments.joined(separator: " ")) expected to exit within \(timeout), it did not")
        }
        return (status, (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "")
    }
}

/// A fresh directory under the system's temporary directory.
func makeTemporaryDirectory() throws -> URL {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("holdfast-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory
}

/// An empty file opened for a child process's output.
func createOutputFile(atPath path: String) throws -> FileHandle {
    guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
        throw HarnessError("output file \(path) expected to be creatable, it was not")
    }
    return handle
}
