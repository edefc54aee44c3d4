import WebSocket
import XCTest

final class HandshakeTests: XCTestCase {
    private let key = "dGhlIHNhbXBsZSBub25jZQ=="
    private var valid: [(name: String, value: String)] {
        [("Host", "example.org"), ("Upgrade", "websocket"), ("Connection", "Upgrade"),
         ("Sec-WebSocket-Key", key), ("Sec-WebSocket-Version", "13")]
    }

    private func check(_ fields: [(name: String, value: String)], method: String = "GET", isHTTP11: Bool = true) -> HandshakeVerdict {
        Handshake.check(method: method, isHTTP11: isHTTP11, fields: fields)
    }

    private func status(_ verdict: HandshakeVerdict) -> Int? {
        guard case let .refused(status, _) = verdict else { return nil }
        return status
    }

    func testValidHandshake() {
        XCTAssertEqual(check(valid), .valid(key: key))
        let variant: [(name: String, value: String)] = [("upgrade", "WebSocket"), ("connection", "keep-alive, Upgrade"),
                                                        ("sec-websocket-key", key), ("SEC-WEBSOCKET-VERSION", "13")]
        XCTAssertEqual(check(variant), .valid(key: key), "names and tokens are case-insensitive; Connection is a list")
    }

    func testUpgradeDetection() {
        XCTAssertTrue(Handshake.isUpgrade(valid))
        XCTAssertTrue(Handshake.isUpgrade([("Upgrade", "h2c, websocket")]))
        XCTAssertFalse(Handshake.isUpgrade([("Upgrade", "h2c")]))
        XCTAssertFalse(Handshake.isUpgrade([("Connection", "upgrade")]))
    }

    func testRefusals() {
        XCTAssertEqual(status(check(valid, method: "POST")), 400)
        XCTAssertEqual(status(check(valid, isHTTP11: false)), 400)
        XCTAssertEqual(status(check(valid.filter { $0.name != "Connection" })), 400)
        XCTAssertEqual(status(check(valid.map { $0.name == "Connection" ? ($0.name, "keep-alive") : $0 })), 400)
        XCTAssertEqual(status(check(valid.filter { $0.name != "Sec-WebSocket-Key" })), 400)
        XCTAssertEqual(status(check(valid.map { $0.name == "Sec-WebSocket-Key" ? ($0.name, "c2hvcnQ=") : $0 })), 400, "not 16 bytes")
        XCTAssertEqual(status(check(valid.map { $0.name == "Sec-WebSocket-Key" ? ($0.name, "not base64 at all!!!!!!!") : $0 })), 400)
        XCTAssertEqual(status(check(valid + [("Sec-WebSocket-Key", key)])), 400, "two keys")
    }

    func testVersionMismatchIsUpgradeRequired() {
        for fields in [valid.filter { $0.name != "Sec-WebSocket-Version" },
                       valid.map { $0.name == "Sec-WebSocket-Version" ? ($0.name, "8") : $0 }] {
            let verdict = check(fields)
            XCTAssertEqual(status(verdict), 426)
            XCTAssertEqual(verdict.headers.map { "\($0.0): \($0.1)" }, ["Sec-WebSocket-Version: 13"])
        }
        XCTAssertTrue(check(valid.filter { $0.name != "Connection" }).headers.isEmpty)
    }

    func testAcceptValue() {
        // RFC 6455 §1.3's example.
        XCTAssertEqual(Handshake.acceptValue(forKey: key), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    }
}
