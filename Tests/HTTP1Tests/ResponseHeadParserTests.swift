import XCTest
@testable import HTTP1

final class ResponseHeadParserTests: XCTestCase {
    private func assertMalformed(_ bytes: [UInt8], method: String = "GET", file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try parseResponse(bytes, method: method), file: file, line: line) {
            guard case .malformed = $0 as? HTTPResponseError else { return XCTFail("expected malformed, got \($0)", file: file, line: line) }
        }
    }

    func testContentLength() throws {
        let head = try completeResponse(wire("HTTP/1.1 200 OK\nContent-Length: 5\nGrip-Hold: response\n\n"))
        XCTAssertEqual(head, ResponseHead(status: 200, reason: "OK", version: .http11,
                                          headers: HTTPHeaders([("Content-Length", "5"), ("Grip-Hold", "response")]),
                                          framing: .contentLength(5), keepAlive: true))
    }

    func testFramings() throws {
        XCTAssertEqual(try completeResponse(wire("HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n")).framing, .chunked)
        let untilClose = try completeResponse(wire("HTTP/1.1 200 OK\n\n"))
        XCTAssertEqual(untilClose.framing, .untilClose)
        XCTAssertFalse(untilClose.keepAlive, "a body ending at close ends the connection")
        for status in [100, 101, 103, 204, 304] {
            XCTAssertEqual(try completeResponse(wire("HTTP/1.1 \(status) X\nContent-Length: 5\n\n")).framing, BodyFraming.none)
        }
        XCTAssertEqual(try completeResponse(wire("HTTP/1.1 200 OK\nContent-Length: 5\n\n"), method: "HEAD").framing, BodyFraming.none)
        XCTAssertEqual(try completeResponse(wire("HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n"), method: "HEAD").framing, BodyFraming.none)
        XCTAssertEqual(try completeResponse(wire("HTTP/1.1 200 Connection established\n\n"), method: "CONNECT").framing, BodyFraming.none)
    }

    func testBodilessStatusesAreInterimNoContentAndNotModified() {
        XCTAssertEqual((100...599).filter(BodilessStatus.contains), Array(100...199) + [204, 304])
    }

    func testKeepAlive() throws {
        XCTAssertFalse(try completeResponse(wire("HTTP/1.1 200 OK\nContent-Length: 0\nConnection: close\n\n")).keepAlive)
        XCTAssertFalse(try completeResponse(wire("HTTP/1.0 200 OK\nContent-Length: 0\n\n")).keepAlive)
        XCTAssertTrue(try completeResponse(wire("HTTP/1.0 200 OK\nContent-Length: 0\nConnection: keep-alive\n\n")).keepAlive)
    }

    func testLenientReasonPhrase() throws {
        XCTAssertEqual(try completeResponse(wire("HTTP/1.1 200\n\n")).reason, "")
        XCTAssertEqual(try completeResponse(wire("HTTP/1.1 200 \n\n")).reason, "")
        XCTAssertEqual(try completeResponse(wire("HTTP/1.1 404 Not\tFound (\u{e9})\n\n")).reason, "Not\tFound (\u{e9})")
        let latin1 = try completeResponse(wire("HTTP/1.1 200 OK\nX: ") + [0xE9] + wire("\n\n"))
        XCTAssertEqual(latin1.headers["x"], "\u{FFFD}", "invalid UTF-8 from upstream is repaired, not refused")
    }

    func testMalformed() {
        for line in ["HTTP/1.1 20 OK", "HTTP/1.1 2000 OK", "HTTP/1.1  200 OK", "HTTP/1.1 099 X", "HTTP/1.1 600 X",
                     "HTTP/2.0 200 OK", "HTTP/1.1 200 O\u{1}K", "http/1.1 200 OK", "HTTP/1.1 200x", "ICY 200 OK", ""] {
            assertMalformed(wire("\(line)\nContent-Length: 0\n\n"))
        }
        assertMalformed(wire("\nHTTP/1.1 200 OK\n\n"))
        assertMalformed(Array("HTTP/1.1 200 OK\nContent-Length: 0\n\n".utf8))
        assertMalformed(wire("HTTP/1.1 200 OK\n folded: x\n\n"))
        assertMalformed(wire("HTTP/1.1 200 OK\nX : y\n\n"))
    }

    func testConflictingFraming() {
        assertMalformed(wire("HTTP/1.1 200 OK\nContent-Length: 5\nTransfer-Encoding: chunked\n\n"))
        assertMalformed(wire("HTTP/1.1 200 OK\nContent-Length: 5\nContent-Length: 5\n\n"))
        assertMalformed(wire("HTTP/1.1 200 OK\nContent-Length: 5, 5\n\n"))
        assertMalformed(wire("HTTP/1.1 200 OK\nTransfer-Encoding: gzip\n\n"))
        assertMalformed(wire("HTTP/1.1 200 OK\nTransfer-Encoding: chunked, gzip\n\n"))
        assertMalformed(wire("HTTP/1.1 204 No Content\nContent-Length: 0\nTransfer-Encoding: chunked\n\n"))
        assertMalformed(wire("HTTP/1.0 200 OK\nTransfer-Encoding: chunked\n\n"))
    }

    func testTooLargeAndIncomplete() throws {
        let bytes = wire("HTTP/1.1 200 OK\nX: 0123456789\n\n")
        var parser = ResponseHeadParser(maxHeadBytes: bytes.count - 1, requestMethod: "GET")
        XCTAssertEqual(try Array(bytes.dropLast()).withUnsafeBytes { try parser.parse($0) }, .incomplete)
        XCTAssertThrowsError(try bytes.withUnsafeBytes { try parser.parse($0) }) {
            XCTAssertEqual($0 as? HTTPResponseError, .tooLarge)
        }
    }

    func testEverySplitGivesTheSameHead() throws {
        let bytes = wire("HTTP/1.1 200 OK\nContent-Type: text/plain\nGrip-Channel: a, b; prev-id=7\nContent-Length: 3\n\n") + Array("abc".utf8)
        let whole = try parseResponse(bytes)
        guard case let .complete(_, length) = whole else { return XCTFail("expected a complete head") }
        XCTAssertEqual(length, bytes.count - 3)
        for split in 0..<length {
            var parser = ResponseHeadParser(maxHeadBytes: 16384, requestMethod: "GET")
            XCTAssertEqual(try Array(bytes[0..<split]).withUnsafeBytes { try parser.parse($0) }, .incomplete)
            XCTAssertEqual(try bytes.withUnsafeBytes { try parser.parse($0) }, whole, "split at \(split)")
        }
    }
}
