import Foundation
import XCTest

/// What the backend sees of GRIP on the request side (docs/grip.md): a `Grip-Sig` of Holdfast's own,
/// and nothing `Grip-*` from the client.
final class GripSignatureTests: ScenarioTestCase {
    private struct SignatureReport: Decodable {
        struct Claims: Decodable {
            var iss: String?
            var exp: Int?
        }

        var valid: Bool
        var error: String?
        var claims: Claims?
        var now: Int?
    }

    private func signatureReport(_ proxy: Holdfast, key: String) throws -> SignatureReport {
        try decode(SignatureReport.self, from: proxy.client().get("/verify-sig?key=\(queryEscaped(key))"))
    }

    func testBackendReceivesAGripSigSignedWithTheConfiguredKey() throws {
        let proxy = try startProxy { $0.grip["signing_key"] = "s3cret-key" }

        let report = try signatureReport(proxy, key: "s3cret-key")

        XCTAssertTrue(report.valid, "Grip-Sig expected to verify with HS256 and the signing key: \(report)")
        XCTAssertEqual(report.claims?.iss, "holdfast")
        let (exp, now) = (try XCTUnwrap(report.claims?.exp), try XCTUnwrap(report.now))
        XCTAssertGreaterThan(exp, now, "exp expected in the future")
        XCTAssertFalse(try signatureReport(proxy, key: "another-key").valid, "Grip-Sig expected not to verify with another key")
    }

    func testClientGripHeadersAreStrippedBeforeTheBackend() throws {
        let proxy = try startProxy()

        let response = try proxy.client().get("/echo", headers: [
            ("Grip-Hold", "response"), ("Grip-Channel", "injected"), ("Grip-Sig", "forged"), ("Grip-Timeout", "1"),
        ])

        XCTAssertEqual(response.status, 200)
        let echo = try decode(EchoReply.self, from: response)
        let gripHeaders = echo.headers.compactMap(\.first).filter { $0.lowercased().hasPrefix("grip-") }
        XCTAssertEqual(gripHeaders.map { $0.lowercased() }, ["grip-sig"], "only Holdfast's own Grip-Sig expected at the backend")
        XCTAssertNotEqual(echo.header("Grip-Sig"), "forged")
        XCTAssertEqual(gripHeaderNames(response.head), [])
    }

    func testNoGripHeaderReachesTheClient() throws {
        let proxy = try startProxy()

        let timedOut = try proxy.client().get(holdTarget(channels: "quiet", [("timeout", "1"), ("status", "202 Later")]))
        let stream = try proxy.client()
        try stream.sendRequest("GET", holdTarget(mode: "stream", channels: "s", [("keepalive", "k; timeout=5")]))
        let streamHead = try stream.readResponseHead()

        XCTAssertEqual(timedOut.status, 202)
        XCTAssertEqual(gripHeaderNames(timedOut.head), [])
        XCTAssertEqual(streamHead.status, 200)
        XCTAssertEqual(gripHeaderNames(streamHead), [])
    }
}
