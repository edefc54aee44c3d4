import Foundation
import Glibc

/// Runs Debian's `openssl` command to completion (bounded); fails with its stderr.
func runOpenSSL(_ arguments: [String]) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
    process.arguments = arguments
    let errors = Pipe()
    process.standardOutput = FileHandle.nullDevice
    process.standardError = errors
    try process.run()
    guard process.waitForExit(timeout: .seconds(30)) == 0 else {
        let text = String(decoding: errors.fileHandleForReading.availableData, as: UTF8.self)
        throw HarnessError("openssl \(arguments.joined(separator: " ")) expected to succeed, failed: \(text)")
    }
}

/// Self-signed certificates made for one test (P-256, quick to generate), and a CA bundle of all of
/// them that clients verify against.
final class TestCertificates {
    struct Pair {
        let certificate: String
        let privateKey: String
    }

    let directory: URL
    var bundle: String { directory.appendingPathComponent("bundle.pem").path }
    private var count = 0

    init() throws {
        directory = try makeTemporaryDirectory()
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// A certificate whose subject CN is `commonName`, valid for `names` (DNS subjectAltNames).
    func make(commonName: String, names: [String]) throws -> Pair {
        count += 1
        let pair = Pair(certificate: directory.appendingPathComponent("cert\(count).pem").path,
                        privateKey: directory.appendingPathComponent("key\(count).pem").path)
        try runOpenSSL(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                        "-keyout", pair.privateKey, "-out", pair.certificate, "-days", "2", "-subj", "/CN=\(commonName)",
                        "-addext", "subjectAltName=" + names.map { "DNS:\($0)" }.joined(separator: ",")])
        let pem = try Data(contentsOf: URL(fileURLWithPath: pair.certificate))
        if let handle = FileHandle(forWritingAtPath: bundle) {
            handle.seekToEndOfFile()
            handle.write(pem)
            handle.closeFile()
        } else {
            try pem.write(to: URL(fileURLWithPath: bundle))
        }
        return pair
    }
}

private func tlsClientScript() throws -> String {
    guard let script = Bundle.module.url(forResource: "tls_client", withExtension: "py", subdirectory: "Fixtures") else {
        throw HarnessError("Fixtures/tls_client.py expected among the test bundle's resources, not found")
    }
    return script.path
}

/// Fixtures/tls_client.py relaying plain TCP on `port` to holdfast's TLS port, so the plain test
/// clients (`HTTPClient`, held clients) speak real TLS to holdfast.
final class TLSTunnel {
    let port: UInt16
    private let process: Process

    init(to tlsPort: UInt16, cafile: String, serverName: String = "localhost") throws {
        let output = Pipe()
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", try tlsClientScript(), "tunnel", "--port", String(tlsPort), "--cafile", cafile,
                             "--servername", serverName]
        process.standardOutput = output
        try process.run()
        do {
            port = try readReadyLine(of: "tls_client.py tunnel", from: output.fileHandleForReading.fileDescriptor, timeout: .seconds(10))
        } catch {
            process.stop()
            throw error
        }
    }

    deinit { process.stop() }

    func client() throws -> HTTPClient { try HTTPClient(port: port) }
}

/// What one handshake with holdfast's TLS port gave (Fixtures/tls_client.py handshake).
struct TLSHandshakeResult: Decodable {
    let ok: Bool
    let version: String?
    let alpn: String?
    let subjectCN: String?
    let answer: String?
    let error: String?

    enum CodingKeys: String, CodingKey {
        case ok, version, alpn, answer, error
        case subjectCN = "subject_cn"
    }
}

/// One TLS handshake (and `request`, if given, whose answer head is read) with Python's `ssl`.
func tlsHandshake(port: UInt16, cafile: String, serverName: String = "localhost", maxVersion: String? = nil,
                  request: String? = nil) throws -> TLSHandshakeResult {
    let process = Process()
    let output = Pipe()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    var arguments = ["python3", try tlsClientScript(), "handshake", "--port", String(port), "--cafile", cafile, "--servername", serverName]
    if let maxVersion { arguments += ["--max-version", maxVersion] }
    if let request { arguments += ["--request", request] }
    process.arguments = arguments
    process.standardOutput = output
    try process.run()
    guard process.waitForExit(timeout: .seconds(20)) != nil else {
        process.stop()
        throw HarnessError("tls_client.py handshake expected to finish within 20 s, it did not")
    }
    let data = output.fileHandleForReading.readDataToEndOfFile()
    do {
        return try JSONDecoder().decode(TLSHandshakeResult.self, from: data)
    } catch {
        throw HarnessError("tls_client.py handshake expected to print a JSON line, printed \(String(decoding: data, as: UTF8.self).debugDescription)")
    }
}
