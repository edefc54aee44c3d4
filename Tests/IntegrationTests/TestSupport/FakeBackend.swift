import Foundation
import Glibc

/// Fixtures/backend.py running as a child process, on a port it picked itself unless given one.
final class FakeBackend {
    let name: String
    let port: UInt16
    private let process: Process

    /// Starts the backend and waits (bounded) for its `READY <port>` line. `port` 0 lets it pick one;
    /// a given port brings a killed backend back where the proxy expects it.
    init(name: String = "app", port requestedPort: UInt16 = 0, readyTimeout: Duration = .seconds(10)) throws {
        guard let script = Bundle.module.url(forResource: "backend", withExtension: "py", subdirectory: "Fixtures") else {
            throw HarnessError("Fixtures/backend.py expected among the test bundle's resources, not found")
        }
        let output = Pipe()
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, "--port", String(requestedPort), "--name", name]
        process.standardOutput = output
        try process.run()
        self.name = name
        do {
            port = try readReadyLine(of: "backend.py", from: output.fileHandleForReading.fileDescriptor, timeout: readyTimeout)
        } catch {
            process.stop()
            throw error
        }
    }

    deinit { process.stop() }

    func stop() { process.stop() }

    /// SIGKILL: the backend vanishes at once, its connections reset, as in a crash.
    func crash() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        _ = process.waitForExit(timeout: .seconds(5))
    }

    // MARK: the tests' own endpoints, called directly (not through the proxy)

    func stats() throws -> BackendStats {
        try decode(BackendStats.self, from: HTTPClient(port: port).get("/__stats"))
    }

    /// Every request received completely, except the tests' own /__ calls.
    func log() throws -> [LoggedRequest] {
        try decode([LoggedRequest].self, from: HTTPClient(port: port).get("/__log"))
    }

    /// The log without health checks: what was proxied to this backend.
    func proxiedRequests() throws -> [LoggedRequest] {
        try log().filter { $0.path != "/health" }
    }

    /// Makes GET /health answer 200 (true) or 503 (false).
    func setHealthy(_ healthy: Bool) throws {
        let response = try HTTPClient(port: port).post(healthy ? "/__admin/up" : "/__admin/down", body: "")
        guard response.status == 200 else { throw HarnessError("admin call expected 200, got \(response.status)") }
    }

    /// Clears the log and request count; the connection maximum restarts from the current count.
    func reset() throws {
        let response = try HTTPClient(port: port).post("/__admin/reset", body: "")
        guard response.status == 200 else { throw HarnessError("admin call expected 200, got \(response.status)") }
    }

    /// The body of /length and /close-delimited: the alphabet repeated.
    static func patternBytes(count: Int) -> [UInt8] {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz".utf8)
        return (0..<count).map { alphabet[$0 % alphabet.count] }
    }
}

/// Decodes a JSON body, failing with the status and body when it is not a 200 with the expected JSON.
func decode<T: Decodable>(_ type: T.Type, from response: HTTPResponse) throws -> T {
    guard response.status == 200 else {
        throw HarnessError("expected 200 with JSON \(T.self), got \(response.status): \(response.bodyText.prefix(500))")
    }
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    return try decoder.decode(T.self, from: Data(response.body))
}

/// Waits (bounded) for a fixture's `READY <port>` line on `fd`.
func readReadyLine(of script: String, from fd: Int32, timeout: Duration) throws -> UInt16 {
    let deadline = ContinuousClock.now + timeout
    var line: [UInt8] = []
    while !line.contains(UInt8(ascii: "\n")) {
        guard waitReadable(fd, until: deadline) else {
            throw HarnessError("\(script) expected to print \"READY <port>\" within \(timeout), got \(String(decoding: line, as: UTF8.self).debugDescription)")
        }
        var byte: UInt8 = 0
        guard read(fd, &byte, 1) == 1 else {
            throw HarnessError("\(script) exited before printing \"READY <port>\"")
        }
        line.append(byte)
    }
    let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    guard text.hasPrefix("READY "), let port = UInt16(text.dropFirst("READY ".count)) else {
        throw HarnessError("\(script) expected to print \"READY <port>\", got \(text.debugDescription)")
    }
    return port
}
