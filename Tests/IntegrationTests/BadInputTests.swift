import XCTest

/// docs/architecture.md: a malformed request gets its status, the connection is closed, and the backend sees nothing.
/// Each request ends where it goes wrong, so no unread bytes make the proxy's close a reset.
final class BadInputTests: ScenarioTestCase {
    private func assertRejected(_ request: String, with status: Int, configure: (inout ScenarioConfig) -> Void = { _ in },
                                file: StaticString = #filePath, line: UInt = #line) throws {
        let client = try startProxy(configure).client()
        try client.send(request)
        let response = try client.readResponse(timeout: .seconds(3))
        XCTAssertEqual(response.status, status, "status for \(request.debugDescription)", file: file, line: line)
        XCTAssertTrue(client.isClosedByPeer(timeout: .seconds(2)), "connection expected closed after \(status)", file: file, line: line)
        try assertBackendSawNoRequests(file: file, line: line)
    }

    func testBareLineFeedInHeadGets400() throws {
        try assertRejected("GET /echo HTTP/1.1\r\nHost: localhost\r\nX-A: 1\nX-B: 2\r\n\r\n", with: 400)
    }

    func testObsoleteLineFoldingGets400() throws {
        try assertRejected("GET /echo HTTP/1.1\r\nHost: localhost\r\nX-A: 1\r\n 2\r\n\r\n", with: 400)
    }

    func testSpaceBeforeColonGets400() throws {
        try assertRejected("GET /echo HTTP/1.1\r\nHost: localhost\r\nX-A : 1\r\n\r\n", with: 400)
    }

    func testInvalidHeaderNameGets400() throws {
        try assertRejected("GET /echo HTTP/1.1\r\nHost: localhost\r\nX@A: 1\r\n\r\n", with: 400)
    }

    func testContentLengthWithTransferEncodingGets400() throws {
        try assertRejected("POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", with: 400)
    }

    func testTwoDifferentContentLengthsGet400() throws {
        try assertRejected("POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", with: 400)
    }

    func testInvalidChunkSizeGets400() throws {
        try assertRejected("POST /echo HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", with: 400)
    }

    func testRequestTargetLongerThanMaxURIBytesGets414() throws {
        try assertRejected("GET /\(String(repeating: "a", count: 100)) HTTP/1.1\r\nHost: localhost\r\n\r\n", with: 414) { config in
            config.server["max_uri_bytes"] = 64
        }
    }

    func testMoreHeaderFieldsThanMaxHeadersGets431() throws {
        let fields = (1...20).map { "X-Field-\($0): v\r\n" }.joined()
        try assertRejected("GET /echo HTTP/1.1\r\nHost: localhost\r\n\(fields)\r\n", with: 431) { config in
            config.server["max_headers"] = 10
        }
    }

    func testHeadLargerThanMaxHeaderBytesGets431() throws {
        try assertRejected("GET /echo HTTP/1.1\r\nHost: localhost\r\nX-Big: \(String(repeating: "b", count: 2000))\r\n\r\n", with: 431) { config in
            config.server["max_header_bytes"] = 1024
            config.server["max_uri_bytes"] = 512
        }
    }

    func testContentLengthAboveMaxBodyBytesGets413() throws {
        try assertRejected("POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5000\r\n\r\n", with: 413) { config in
            config.server["max_body_bytes"] = 1000
        }
    }

    func testUnknownTransferCodingGets501() throws {
        try assertRejected("POST /echo HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", with: 501)
    }

    func testHTTP2VersionGets505() throws {
        try assertRejected("GET /echo HTTP/2.0\r\nHost: localhost\r\n\r\n", with: 505)
    }
}
