import XCTest
@testable import HTTP1

final class RequestRejectionTests: XCTestCase {
    func testRequestLineSyntax() {
        for line in ["GET  / HTTP/1.1", "GET /  HTTP/1.1", " GET / HTTP/1.1", "GET / HTTP/1.1 ", "GET /", "GET",
                     "GET / HTTP/1.1 x", "G(T / HTTP/1.1", "GET\t/ HTTP/1.1", "GET / http/1.1", "GET / HTTP/x",
                     "GET / HTTP/1.", "GET / HTTP/11.1", "GET / HTTP/1.1x"] {
            assertRejected(wire("\(line)\nHost: a\n\n"), status: 400)
        }
    }

    func testUnsupportedVersions() {
        for version in ["HTTP/2.0", "HTTP/0.9", "HTTP/1.2", "HTTP/3.1"] {
            assertRejected(wire("GET / \(version)\nHost: a\n\n"), status: 505)
        }
    }

    func testBareCRAndBareLF() {
        assertRejected(Array("GET / HTTP/1.1\nHost: a\n\n".utf8), status: 400)
        assertRejected(Array("GET / HTTP/1.1\r\nHost: a\n\r\n".utf8), status: 400)
        assertRejected(Array("GET / HTTP/1.1\r\nHost: a\r\n\n".utf8), status: 400)
        assertRejected(Array("GET / HTTP/1.1\rHost: a\r\n\r\n".utf8), status: 400)
        assertRejected(Array("GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n".utf8), status: 400)
        assertRejected(Array("GET / HTTP/1.1\r\nHost: a\r\n\r\r\n".utf8), status: 400)
    }

    func testHeaderFieldSyntax() {
        for field in ["X-A : b", "X-A\t: b", "X A: b", ": b", "X-A", "X(A): b", "X-\u{e9}: b", " X-A: b", "\tX-A: b",
                      "X-A: b\u{1}c", "X-A: b\u{7f}", "X-A: b\u{0}"] {
            assertRejected(wire("GET / HTTP/1.1\nHost: a\n\(field)\n\n"), status: 400)
        }
    }

    func testObsFold() {
        assertRejected(wire("GET / HTTP/1.1\nHost: a\nX-A: b\n c\n\n"), status: 400)
    }

    func testInvalidUTF8InValue() {
        assertRejected(wire("GET / HTTP/1.1\nHost: a\n") + [0x58, 0x3A, 0x20, 0xC3, 0x28] + wire("\n\n"), status: 400)
    }

    func testContentLength() {
        for value in ["5, 5", "-1", "+5", "5a", "", " ", "0x10", "18446744073709551616", "1 2"] {
            assertRejected(wire("POST / HTTP/1.1\nHost: a\nContent-Length: \(value)\n\n"), status: 400)
        }
        assertRejected(wire("POST / HTTP/1.1\nHost: a\nContent-Length: 5\ncontent-length: 5\n\n"), status: 400)
        assertRejected(wire("POST / HTTP/1.1\nHost: a\nContent-Length: 5\nContent-Length: 6\n\n"), status: 400)
    }

    func testContentLengthWithTransferEncoding() {
        assertRejected(wire("POST / HTTP/1.1\nHost: a\nContent-Length: 5\nTransfer-Encoding: chunked\n\n"), status: 400)
        assertRejected(wire("POST / HTTP/1.1\nHost: a\nTransfer-Encoding: chunked\nContent-Length: 5\n\n"), status: 400)
    }

    func testTransferEncoding() {
        for (value, status) in [("gzip", 501), ("gzip, chunked", 501), ("chunked;x=1", 501), ("identity", 501),
                                ("chunked, gzip", 400), ("chunked, chunked", 400), ("", 400), ("chunked x", 400),
                                ("ch\"unked", 400)] {
            assertRejected(wire("POST / HTTP/1.1\nHost: a\nTransfer-Encoding: \(value)\n\n"), status: status)
        }
        assertRejected(wire("POST / HTTP/1.1\nHost: a\nTransfer-Encoding: chunked\nTransfer-Encoding: chunked\n\n"), status: 400)
        assertRejected(wire("POST / HTTP/1.1\nHost: a\nTransfer-Encoding: gzip\nTransfer-Encoding: chunked\n\n"), status: 501)
        assertRejected(wire("POST / HTTP/1.0\nTransfer-Encoding: chunked\n\n"), status: 400)
    }

    func testHost() {
        assertRejected(wire("GET / HTTP/1.1\n\n"), status: 400)
        assertRejected(wire("GET / HTTP/1.1\nHost: a\nHost: a\n\n"), status: 400)
        assertRejected(wire("GET / HTTP/1.0\nHost: a\nhost: b\n\n"), status: 400)
        for value in ["a b", "a/b", "a:b", "a:123456", "[::1", "[]", ":80", "a@b"] {
            assertRejected(wire("GET / HTTP/1.1\nHost: \(value)\n\n"), status: 400)
        }
    }

    func testTargetForms() {
        for line in ["GET * HTTP/1.1", "GET example.org HTTP/1.1", "GET http:/x HTTP/1.1", "GET http:// HTTP/1.1",
                     "GET http://user@host/ HTTP/1.1", "GET /a#frag HTTP/1.1", "GET /a\"b HTTP/1.1", "GET /a<b HTTP/1.1",
                     "GET /a%2 HTTP/1.1", "GET /a%zz HTTP/1.1", "GET /a\\b HTTP/1.1", "CONNECT example.org HTTP/1.1",
                     "CONNECT example.org: HTTP/1.1", "CONNECT /x HTTP/1.1", "GET 1http://a/ HTTP/1.1"] {
            assertRejected(wire("\(line)\nHost: a\n\n"), status: 400)
        }
        assertRejected(wire("GET /a") + [0x80] + wire(" HTTP/1.1\nHost: a\n\n"), status: 400)
    }

    func testURITooLong() {
        let limits = HTTPLimits(maxURIBytes: 10)
        assertRejected(wire("GET /0123456789 HTTP/1.1\nHost: a\n\n"), status: 414, limits: limits)
    }

    func testURITooLongIsNoticedBeforeTheLineEnds() throws {
        var parser = RequestHeadParser(limits: HTTPLimits(maxURIBytes: 10))
        XCTAssertEqual(try wire("GET /012345678").withUnsafeBytes { try parser.parse($0) }, .incomplete)
        XCTAssertThrowsError(try wire("GET /0123456789").withUnsafeBytes { try parser.parse($0) }) {
            XCTAssertEqual($0 as? HTTPRequestError, .uriTooLong)
        }
        var crParser = RequestHeadParser(limits: HTTPLimits(maxURIBytes: 10))
        XCTAssertEqual(try Array("GET /012345678\r".utf8).withUnsafeBytes { try crParser.parse($0) }, .incomplete,
                       "the CR that ends the line is not part of the target")
    }

    func testHeadTooLarge() throws {
        let bytes = wire("GET / HTTP/1.1\nHost: a\nX: 0123456789\n\n")
        assertRejected(bytes, status: 431, limits: HTTPLimits(maxHeaderBytes: bytes.count - 1))
        var parser = RequestHeadParser(limits: HTTPLimits(maxHeaderBytes: 30))
        XCTAssertEqual(try Array(bytes[0..<30]).withUnsafeBytes { try parser.parse($0) }, .incomplete)
        XCTAssertThrowsError(try Array(bytes[0..<31]).withUnsafeBytes { try parser.parse($0) }) {
            XCTAssertEqual($0 as? HTTPRequestError, .headerFieldsTooLarge)
        }
    }

    func testTooManyFields() throws {
        assertRejected(wire("GET / HTTP/1.1\nHost: a\nA: 1\nB: 2\n\n"), status: 431, limits: HTTPLimits(maxHeaders: 2))
        var parser = RequestHeadParser(limits: HTTPLimits(maxHeaders: 2))
        XCTAssertThrowsError(try wire("GET / HTTP/1.1\nHost: a\nA: 1\nB: 2\n").withUnsafeBytes { try parser.parse($0) }) {
            XCTAssertEqual($0 as? HTTPRequestError, .headerFieldsTooLarge)
        }
    }

    /// The server refuses it (413) once it knows how to answer the request: the parser passes it on.
    func testADeclaredBodyOverTheLimitIsLeftToTheServer() throws {
        XCTAssertEqual(try completeRequest(wire("POST / HTTP/1.1\nHost: a\nContent-Length: 11\n\n"),
                                           limits: HTTPLimits(maxBodyBytes: 10)).0.framing, .contentLength(11))
    }
}
