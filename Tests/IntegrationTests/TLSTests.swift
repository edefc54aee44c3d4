import Foundation
import Glibc
import XCTest

/// `[server.tls]` (SPEC §9, docs/security.md): real TLS from Python's `ssl` and curl, with
/// certificates made for each test.
final class TLSTests: ScenarioTestCase {
    var certificates: TestCertificates!
    /// CN `default.test`, valid for `localhost`.
    private var defaultPair: TestCertificates.Pair!

    override func setUpWithError() throws {
        try super.setUpWithError()
        certificates = try TestCertificates()
        defaultPair = try certificates.make(commonName: "default.test", names: ["localhost"])
    }

    override func tearDown() {
        super.tearDown()
        certificates = nil
    }

    func startTLSProxy(_ configure: (inout ScenarioConfig) -> Void = { _ in }) throws -> Holdfast {
        try startProxy {
            $0.tls = ["certificate": .string(defaultPair.certificate), "private_key": .string(defaultPair.privateKey)]
            configure(&$0)
        }
    }

    func handshake(_ proxy: Holdfast, serverName: String = "localhost", maxVersion: String? = nil,
                           request: String? = nil) throws -> TLSHandshakeResult {
        try tlsHandshake(port: proxy.tlsPort, cafile: certificates.bundle, serverName: serverName, maxVersion: maxVersion,
                         request: request)
    }

    /// curl verifying the certificate, `-v`: the body it got and what it logged; fails unless it exits 0.
    func curl(_ proxy: Holdfast, _ path: String, _ options: [String] = []) throws -> (body: Data, log: String) {
        let curl = Process()
        let output = Pipe(), errors = Pipe()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        curl.arguments = ["-sS", "-v", "--max-time", "10", "--cacert", certificates.bundle,
                          "--resolve", "localhost:\(proxy.tlsPort):127.0.0.1"] + options + ["https://localhost:\(proxy.tlsPort)\(path)"]
        curl.standardOutput = output
        curl.standardError = errors
        try curl.run()
        let body = output.fileHandleForReading.readDataToEndOfFile()
        let log = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertEqual(curl.waitForExit(timeout: .seconds(15)), 0, log)
        return (body, log)
    }

    private func handshakeFailures(_ proxy: Holdfast, _ reason: String) throws -> Double? {
        try proxy.control.metric("holdfast_tls_handshake_failures_total", labels: "reason=\"\(reason)\"")
    }

    func testLongPollIsHeldAndGetsItsPublishOverTLS() throws {
        let proxy = try startTLSProxy()
        let tunnel = try TLSTunnel(to: proxy.tlsPort, cafile: certificates.bundle)
        let client = try tunnel.client()
        try client.sendRequest("GET", holdTarget(channels: "news"))
        try proxy.control.waitUntilHeld(1)

        XCTAssertEqual(try proxy.control.publish(items: [httpResponseItem(channel: "news", body: "over tls\n")]), 1)

        let response = try client.readResponse()
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.bodyText, "over tls\n")
        // The plain listener goes on serving beside the TLS one.
        XCTAssertEqual(try proxy.client().get("/echo").status, 200)
    }

    func testSSEOverTLS() throws {
        let proxy = try startTLSProxy { $0.routes.insert(["path_prefix": "/events/", "subscribe": "sse"], at: 0) }
        let tunnel = try TLSTunnel(to: proxy.tlsPort, cafile: certificates.bundle)
        let client = try tunnel.client()
        try client.sendRequest("GET", "/events/news")
        XCTAssertEqual(try client.readResponseHead().status, 200)
        try proxy.control.waitUntilHeld(1)

        XCTAssertEqual(try proxy.control.publish(items: [httpStreamItem(channel: "news", content: "one\n", id: "1")]), 1)
        XCTAssertEqual(try proxy.control.publish(items: [httpStreamItem(channel: "news", content: "two\n", id: "2")]), 1)

        let expected = "id: 1\ndata: one\n\nid: 2\ndata: two\n\n"
        XCTAssertEqual(try client.readStream(until: "two SSE events") { $0.count >= expected.count }, expected)
    }

    /// curl, verifying the certificate, sees ALPN http/1.1; the backend sees `X-Forwarded-Proto: https`
    /// in place of the client's own.
    func testRelayedRequestsSayHTTPSAndOfferHTTP11() throws {
        let proxy = try startTLSProxy()
        let (body, log) = try curl(proxy, "/echo", ["-H", "X-Forwarded-Proto: http"])

        let echo = try JSONDecoder().decode(EchoReply.self, from: body)
        XCTAssertEqual(echo.values(of: "X-Forwarded-Proto"), ["https"])
        XCTAssertTrue(log.contains("ALPN: server accepted http/1.1"), "curl expected to report ALPN http/1.1, logged: \(log)")

        let python = try handshake(proxy)
        XCTAssertTrue(python.ok, python.error ?? "")
        XCTAssertEqual(python.alpn, "http/1.1", "a client offering h2 and http/1.1 expected to get http/1.1")
    }

    func testSNIChoosesTheCertificate() throws {
        let exact = try certificates.make(commonName: "exact.test", names: ["app.example.test"])
        let wildcard = try certificates.make(commonName: "wildcard.test", names: ["*.wild.test"])
        let proxy = try startTLSProxy {
            $0.sni = [
                ["server_names": ["app.example.test"], "certificate": .string(exact.certificate), "private_key": .string(exact.privateKey)],
                ["server_names": ["*.wild.test"], "certificate": .string(wildcard.certificate), "private_key": .string(wildcard.privateKey)],
            ]
        }

        for (name, expected) in [("app.example.test", "exact.test"), ("x.wild.test", "wildcard.test"), ("localhost", "default.test")] {
            let result = try handshake(proxy, serverName: name)
            XCTAssertTrue(result.ok, "\(name): \(result.error ?? "")")
            XCTAssertEqual(result.subjectCN, expected, "SNI \(name) expected the certificate of \(expected)")
        }
        // The apex is not a subdomain: it gets the default certificate, which is not valid for it.
        let apex = try handshake(proxy, serverName: "wild.test")
        XCTAssertFalse(apex.ok)
        XCTAssertTrue(apex.error?.contains("certificate verify failed") ?? false, apex.error ?? "")
        try eventually("the client's refusal counted") { try handshakeFailures(proxy, "handshake") == 1 }
    }

    func testTLS10And11AreRefusedAndCounted() throws {
        let proxy = try startTLSProxy()
        for version in ["1.0", "1.1"] {
            let result = try handshake(proxy, maxVersion: version)
            XCTAssertFalse(result.ok, "a TLS \(version) client expected to be refused, got \(result.version ?? "?")")
        }
        XCTAssertEqual(try handshake(proxy, maxVersion: "1.2").version, "TLSv1.2")
        XCTAssertEqual(try handshake(proxy).version, "TLSv1.3")
        try eventually("both refusals counted as protocol_version") { try handshakeFailures(proxy, "protocol_version") == 2 }
    }

    func testMinVersion13RefusesTLS12() throws {
        let proxy = try startTLSProxy { $0.tls?["min_version"] = "1.3" }
        XCTAssertFalse(try handshake(proxy, maxVersion: "1.2").ok)
        XCTAssertEqual(try handshake(proxy).version, "TLSv1.3")
    }

    /// A client that opens TCP and never finishes its handshake (silent, or trickling a hello) is cut
    /// at `client_header`, counted, and logged at most at debug level.
    func testStalledHandshakeIsCutWithinClientHeader() throws {
        let proxy = try startTLSProxy { $0.timeouts["client_header"] = "1s" }
        let silent = try HTTPClient(port: proxy.tlsPort)
        let trickling = try HTTPClient(port: proxy.tlsPort)
        let (cut, elapsed) = try timed { () throws -> Bool in
            // A TLS record header and the start of a ClientHello, a byte every 200 ms.
            for byte: UInt8 in [0x16, 0x03, 0x01, 0x02] {
                try trickling.send([byte])
                usleep(200_000)
            }
            return silent.isClosedByPeer(timeout: .seconds(3)) && trickling.isClosedByPeer(timeout: .seconds(3))
        }
        XCTAssertTrue(cut, "both stalled handshakes expected to be cut")
        XCTAssertLessThan(elapsed, .milliseconds(2500), "client_header = 1s expected to cut both within about 1 s")
        try eventually("both counted as timeouts") { try handshakeFailures(proxy, "timeout") == 2 }

        let plain = try HTTPClient(port: proxy.tlsPort)
        try plain.sendRequest("GET", "/echo")
        XCTAssertTrue(plain.isClosedByPeer(timeout: .seconds(3)), "plain HTTP on the TLS port expected to be closed")
        try eventually("plain HTTP counted") { try handshakeFailures(proxy, "http_request") == 1 }
        let handshakeLines = proxy.stderrText.split(separator: "\n").filter { $0.contains("handshake") && !$0.contains("debug") }
        XCTAssertEqual(handshakeLines, [], "no line above debug level expected per failed handshake")
    }

    /// SIGHUP with a new certificate: new connections get it, a long-poll held on the old one still
    /// gets its publish; a certificate that does not load rejects the reload and changes nothing.
    func testReloadServesTheNewCertificateWhileAHeldLongPollStays() throws {
        var settings = ScenarioConfig(backendPort: backend.port)
        settings.tls = ["certificate": .string(defaultPair.certificate), "private_key": .string(defaultPair.privateKey)]
        let proxy = try startProxy { $0 = settings }
        let tunnel = try TLSTunnel(to: proxy.tlsPort, cafile: certificates.bundle)
        let held = try tunnel.client()
        try held.sendRequest("GET", holdTarget(channels: "rotate", [("timeout", "60")]))
        try proxy.control.waitUntilHeld(1)

        let rotated = try certificates.make(commonName: "rotated.test", names: ["localhost"])
        settings.tls = ["certificate": .string(rotated.certificate), "private_key": .string(rotated.privateKey)]
        try settings.render(listenPort: proxy.port, tlsPort: proxy.tlsPort, controlPort: proxy.controlPort)
            .write(toFile: proxy.configPath, atomically: true, encoding: .utf8)
        proxy.signal(SIGHUP)
        try eventually("new connections get the rotated certificate") { try handshake(proxy).subjectCN == "rotated.test" }

        // A key of another certificate: the whole reload is rejected.
        settings.tls?["private_key"] = .string(defaultPair.privateKey)
        try settings.render(listenPort: proxy.port, tlsPort: proxy.tlsPort, controlPort: proxy.controlPort)
            .write(toFile: proxy.configPath, atomically: true, encoding: .utf8)
        proxy.signal(SIGHUP)
        try eventually("the rejected reload is logged") { proxy.stderrText.contains("reload rejected") }
        XCTAssertTrue(proxy.stderrText.contains(defaultPair.privateKey), "the log expected to name the key file")
        XCTAssertEqual(try handshake(proxy).subjectCN, "rotated.test")

        XCTAssertEqual(try proxy.control.publish(items: [httpResponseItem(channel: "rotate", body: "still here\n")]), 1)
        let response = try held.readResponse()
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.bodyText, "still here\n")
    }

    /// The 1-based line of the first `key =` after the `header` line of the file at `path`.
    private func lineNumber(of key: String, under header: String, inFile path: String) throws -> Int {
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        let start = try XCTUnwrap(lines.firstIndex { $0.trimmingCharacters(in: .whitespaces) == header })
        let found = try XCTUnwrap(lines[start...].firstIndex { $0.trimmingCharacters(in: .whitespaces).hasPrefix("\(key) =") })
        return found + 1
    }

    func testCheckConfigRejectsAKeyThatDoesNotMatchItsCertificate() throws {
        let other = try certificates.make(commonName: "other.test", names: ["other.test"])
        var settings = ScenarioConfig(backendPort: 9000)
        settings.tls = ["certificate": .string(defaultPair.certificate), "private_key": .string(other.privateKey)]
        let path = certificates.directory.appendingPathComponent("proxy.conf").path
        try settings.render(listenPort: 8080, tlsPort: 8443, controlPort: 5561).write(toFile: path, atomically: true, encoding: .utf8)

        let bad = try Holdfast.run(["--check-config", path])
        XCTAssertEqual(bad.status, 2)
        let keyLine = try lineNumber(of: "private_key", under: "[server.tls]", inFile: path)
        XCTAssertTrue(bad.stderr.contains("\(path):\(keyLine): server.tls: private_key \(other.privateKey)"), bad.stderr)
        XCTAssertTrue(bad.stderr.contains("does not match"), bad.stderr)

        // An SNI entry is checked too, and a file that is no certificate at all is named as such.
        settings.tls?["private_key"] = .string(defaultPair.privateKey)
        settings.sni = [["server_names": ["other.test"], "certificate": .string(other.privateKey), "private_key": .string(other.privateKey)]]
        try settings.render(listenPort: 8080, tlsPort: 8443, controlPort: 5561).write(toFile: path, atomically: true, encoding: .utf8)
        let notACertificate = try Holdfast.run(["--check-config", path])
        XCTAssertEqual(notACertificate.status, 2)
        let certificateLine = try lineNumber(of: "certificate", under: "[[server.tls.sni]]", inFile: path)
        XCTAssertTrue(notACertificate.stderr.contains(
            "\(path):\(certificateLine): server.tls.sni[0]: certificate \(other.privateKey): not a usable PEM certificate"),
                      notACertificate.stderr)

        settings.sni[0]["certificate"] = .string(other.certificate)
        try settings.render(listenPort: 8080, tlsPort: 8443, controlPort: 5561).write(toFile: path, atomically: true, encoding: .utf8)
        let good = try Holdfast.run(["--check-config", path])
        XCTAssertEqual(good.status, 0, good.stderr)
    }
}
