import HTTP1
import XCTest
@testable import Proxy

/// The packed handshake a WebSocket-over-HTTP connection keeps gives back every request as the
/// client's head would (SPEC §12): its fields in order, less what each request sets itself.
final class OverHTTPRequestHeadTests: XCTestCase {
    private static let key = "dGhlIHNhbXBsZSBub25jZQ=="

    private func handshake(key: String = key, cookie: String = "a=" + String(repeating: "b", count: 300)) -> RequestHead {
        RequestHead(method: "GET", target: "/ws?x=1", version: .http11, headers: HTTPHeaders([
            ("Host", "example.com"), ("Upgrade", "websocket"), ("Connection", "Upgrade"), ("Sec-WebSocket-Key", key),
            ("Sec-WebSocket-Version", "13"), ("Cookie", cookie), ("Meta-User", "mallory"), ("Content-Type", "text/plain"),
            ("Sec-WebSocket-Extensions", "permessage-deflate"), ("X-Forwarded-For", "10.0.0.1"), ("Accept", "*/*"),
        ]), framing: .none, keepAlive: true)
    }

    func testARequestReplaysTheHandshakeThenWhatEachRequestSets() throws {
        let head = OverHTTPRequestHead(handshake: handshake(), clientIP: "192.0.2.7", intern: { $0 })
        let request = String(decoding: head.request(body: Array("OPEN\r\n".utf8), meta: [("User", "alice")], scheme: "https",
                                                    gripSignature: "sig", backendAddress: "app:80"), as: UTF8.self)
        let id = try XCTUnwrap(request.split(separator: "\r\n").first { $0.hasPrefix("Connection-Id: ") }?.dropFirst(15))
        XCTAssertEqual(id.split(separator: "-").count, 2)
        XCTAssertEqual(request, """
            POST /ws?x=1 HTTP/1.1\r
            Host: example.com\r
            Sec-WebSocket-Key: \(Self.key)\r
            Sec-WebSocket-Version: 13\r
            Cookie: a=\(String(repeating: "b", count: 300))\r
            Sec-WebSocket-Extensions: grip\r
            Connection-Id: \(id)\r
            Content-Type: application/websocket-events\r
            Accept: application/websocket-events\r
            Meta-User: alice\r
            X-Forwarded-For: 10.0.0.1, 192.0.2.7\r
            X-Forwarded-Proto: https\r
            X-Forwarded-Host: example.com\r
            Via: 1.1 holdfast\r
            Grip-Sig: sig\r
            Content-Length: 6\r
            \r
            OPEN\r

            """)
        XCTAssertEqual(head.key, Self.key)
    }

    func testHandshakesDifferingOnlyInTheirKeyPackTheSameBlock() {
        var blocks: [[UInt8]] = []
        let intern: ([UInt8]) -> [UInt8] = { block in
            blocks.append(block)
            return block
        }
        _ = OverHTTPRequestHead(handshake: handshake(), clientIP: "192.0.2.7", intern: intern)
        _ = OverHTTPRequestHead(handshake: handshake(key: "AAAAAAAAAAAAAAAAAAAAAA=="), clientIP: "192.0.2.7", intern: intern)
        _ = OverHTTPRequestHead(handshake: handshake(cookie: "a=c"), clientIP: "192.0.2.7", intern: intern)
        XCTAssertEqual(blocks.count, 3)
        XCTAssertEqual(blocks[0], blocks[1])
        XCTAssertNotEqual(blocks[0], blocks[2])
    }
}
