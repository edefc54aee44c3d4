import Foundation
import Glibc

/// Debian's `redis-server` (found on PATH) on a free loopback port, without persistence, as a child
/// process; `redis-cli` talks to it. It can be killed and started again on the same port.
final class RedisServer {
    let port: UInt16
    /// `requirepass`: clients must AUTH first (redis-cli too, through REDISCLI_AUTH).
    let password: String?
    private var process: Process?

    /// Also listening on this Unix socket, if set.
    let unixSocket: String?

    init(password: String? = nil, unixSocket: String? = nil) throws {
        port = try freePort()
        self.password = password
        self.unixSocket = unixSocket
        try start()
    }

    deinit { stop() }

    var url: String { "redis://127.0.0.1:\(port)" }

    func start() throws {
        let process = Process()
        process.executableURL = try Self.executable("redis-server")
        process.arguments = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
            + (password.map { ["--requirepass", $0] } ?? []) + (unixSocket.map { ["--unixsocket", $0] } ?? [])
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        self.process = process
        try eventually("redis-server answers PING on port \(port)", timeout: .seconds(10)) {
            guard process.isRunning else { throw HarnessError("redis-server exited with status \(process.terminationStatus)") }
            return (try? cli("PING")) == "PONG"
        }
    }

    /// SIGKILL: Redis vanishes at once, as in a crash; every connection to it resets.
    func kill() {
        guard let process, process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        _ = process.waitForExit(timeout: .seconds(5))
    }

    func stop() { process?.stop() }

    /// Runs `redis-cli -p PORT ARGS` (bounded) and returns its output without the trailing newline.
    @discardableResult
    func cli(_ arguments: String...) throws -> String {
        let process = Process()
        process.executableURL = try Self.executable("redis-cli")
        process.arguments = ["-p", String(port)] + arguments
        if let password { process.environment = ["REDISCLI_AUTH": password] }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        guard process.waitForExit(timeout: .seconds(5)) != nil else {
            process.stop()
            throw HarnessError("redis-cli \(arguments.joined(separator: " ")) expected to finish within 5 s, it did not")
        }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return text.hasSuffix("\n") ? String(text.dropLast()) : text
    }

    /// How many clients are subscribed to `channel` (PUBSUB NUMSUB).
    func subscriberCount(_ channel: String) throws -> Int {
        let lines = try cli("PUBSUB", "NUMSUB", channel).split(separator: "\n")
        guard lines.count == 2, let count = Int(lines[1]) else { throw HarnessError("PUBSUB NUMSUB answer unexpected: \(lines)") }
        return count
    }

    private static func executable(_ name: String) throws -> URL {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let path = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return URL(fileURLWithPath: path) }
        }
        throw HarnessError("\(name) expected on PATH (scripts/install-deps installs redis-server), not found")
    }
}
