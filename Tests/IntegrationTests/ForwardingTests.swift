import XCTest

/// Requests reach the backend with the forwarding headers and without hop-by-hop headers.
final class ForwardingTests: ScenarioTestCase {
    func testGetIsForwardedWithForwardingHeadersAndWithoutHopByHopHeaders() throws {
        let client = try startProxy().client()
        let response = try client.get("/echo?x=1", headers: [
            ("Host", "example.test"),
            ("Connection", "keep-alive, X-Drop-Me"),
            ("Keep-Alive", "timeout=5"),
            ("TE", "trailers"),
            ("Upgrade", "example/1"),
            ("Proxy-Connection", "keep-alive"),
            ("X-Drop-Me", "1"),
            ("X-Keep-Me", "2"),
        ])
        let echo = try decode(EchoReply.self, from: response)
        XCTAssertEqual(echo.method, "GET")
        XCTAssertEqual(echo.path, "/echo?x=1")
        XCTAssertEqual(echo.values(of: "Host"), ["example.test"])
        XCTAssertEqual(echo.values(of: "X-Forwarded-For"), ["127.0.0.1"])
        XCTAssertEqual(echo.values(of: "X-Forwarded-Proto"), ["http"])
        XCTAssertEqual(echo.values(of: "X-Forwarded-Host"), ["example.test"])
        XCTAssertTrue(echo.header("Via")?.hasPrefix("1.1 ") ?? false, "Via expected like \"1.1 holdfast\", got \(echo.header("Via") ?? "none")")
        XCTAssertEqual(echo.values(of: "X-Keep-Me"), ["2"])
        for hopByHop in ["Connection", "Keep-Alive", "TE", "Upgrade", "Proxy-Connection", "X-Drop-Me"] {
            XCTAssertEqual(echo.values(of: hopByHop), [], "\(hopByHop) expected removed before the backend")
        }
    }

    func testPostWithContentLengthBodyIsForwarded() throws {
        let client = try startProxy().client()
        let echo = try decode(EchoReply.self, from: client.post("/echo", body: "hello world"))
        XCTAssertEqual(echo.method, "POST")
        XCTAssertEqual(echo.path, "/echo")
        XCTAssertEqual(echo.body, "hello world")
    }

    func testPostWithChunkedBodyIsForwarded() throws {
        let client = try startProxy().client()
        try client.send("POST /echo HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nhello \r\n5\r\nworld\r\n0\r\n\r\n")
        let echo = try decode(EchoReply.self, from: client.readResponse())
        XCTAssertEqual(echo.method, "POST")
        XCTAssertEqual(echo.body, "hello world")
    }
}
