import Foundation
import Glibc
import XCTest

/// TLS 1.3 connections leave OpenSSL after their handshake and go on in Holdfast's own record
/// layer (docs/architecture.md, "TLS"); TLS 1.2 stays with OpenSSL. What OpenSSL clients see of it.
extension TLSTests {
    private func handshakesFinished(_ proxy: Holdfast, records: String) throws -> Double? {
        try proxy.control.metric("holdfast_tls_handshakes_total", labels: "records=\"\(records)\"")
    }

    func testTLS13LeavesOpenSSLAfterItsHandshakeAndTLS12StaysWithIt() throws {
        let proxy = try startTLSProxy()
        let echoRequest = "GET /echo HTTP/1.1\\r\\nHost: localhost\\r\\n\\r\\n"
        let modern = try handshake(proxy, request: echoRequest)
        XCTAssertEqual(modern.version, "TLSv1.3")
        XCTAssertTrue(modern.answer?.hasPrefix("HTTP/1.1 200") ?? false, modern.answer ?? modern.error ?? "")
        XCTAssertEqual(try handshakesFinished(proxy, records: "holdfast"), 1)
        XCTAssertEqual(try handshakesFinished(proxy, records: "openssl"), 0)

        let older = try handshake(proxy, maxVersion: "1.2", request: echoRequest)
        XCTAssertEqual(older.version, "TLSv1.2")
        XCTAssertTrue(older.answer?.hasPrefix("HTTP/1.1 200") ?? false, older.answer ?? older.error ?? "")
        XCTAssertEqual(try handshakesFinished(proxy, records: "openssl"), 1)
    }

    /// Bodies of many full records each way, through the backend and back.
    func testLongBodiesBothWaysInManyRecords() throws {
        let proxy = try startTLSProxy()
        let upload = String(repeating: "0123456789abcdef", count: 100_000 / 16)
        let (echoed, echoLog) = try curl(proxy, "/echo", ["--data-binary", upload, "-H", "Content-Type: text/plain"])
        XCTAssertEqual(try JSONDecoder().decode(EchoReply.self, from: echoed).body.count, upload.count, echoLog)

        let (downloaded, downloadLog) = try curl(proxy, "/length?bytes=300000")
        XCTAssertEqual(downloaded.count, 300_000, downloadLog)
        XCTAssertTrue(downloadLog.contains("TLSv1.3"), "curl expected to have spoken TLS 1.3: \(downloadLog)")
        XCTAssertEqual(try handshakesFinished(proxy, records: "holdfast"), 2)
    }

    /// `openssl s_client`'s `K`: a KeyUpdate asking Holdfast to update too. The request after it is
    /// read with the client's next key and the answer sealed with Holdfast's.
    func testAClientKeyUpdateIsFollowedAndAnswered() throws {
        let proxy = try startTLSProxy()
        let client = Process()
        let input = Pipe(), output = Pipe(), errors = Pipe()
        client.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        client.arguments = ["s_client", "-connect", "127.0.0.1:\(proxy.tlsPort)", "-servername", "localhost",
                            "-CAfile", certificates.bundle, "-tls1_3", "-crlf"]
        client.standardInput = input
        client.standardOutput = output
        client.standardError = errors
        try client.run()
        defer { client.stop() }
        var seen = ""
        let outputFD = output.fileHandleForReading.fileDescriptor, errorFD = errors.fileHandleForReading.fileDescriptor
        func readUntil(_ what: String, from fd: Int32) throws {
            let deadline = ContinuousClock.now + .seconds(10)
            var buffer = [UInt8](repeating: 0, count: 4096)
            while !seen.contains(what) {
                guard waitReadable(fd, until: deadline) else { throw HarnessError("s_client expected to print \(what); got \(seen)") }
                let count = read(fd, &buffer, buffer.count)
                guard count > 0 else { throw HarnessError("s_client ended before printing \(what); got \(seen)") }
                seen += String(decoding: buffer[..<count], as: UTF8.self)
            }
        }
        try readUntil("Verify return code: 0", from: outputFD)
        input.fileHandleForWriting.write(Data("K\n".utf8))
        try readUntil("KEYUPDATE", from: errorFD)
        input.fileHandleForWriting.write(Data("GET /echo HTTP/1.1\nHost: localhost\nConnection: close\n\n".utf8))
        try readUntil("\"backend\"", from: outputFD)
        XCTAssertTrue(seen.contains("HTTP/1.1 200 OK"), seen)
        XCTAssertEqual(try handshakesFinished(proxy, records: "holdfast"), 1)
    }
}
