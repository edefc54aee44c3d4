import XCTest
@testable import HTTP1

final class HeadSerializerTests: XCTestCase {
    func testRequestRoundTrip() throws {
        let headers = HTTPHeaders([("Host", "example.org"), ("Grip-Sig", "abc.def"), ("Content-Length", "3")])
        let bytes = HeadSerializer.request(method: "POST", target: "/a?b=c", headers: headers)
        XCTAssertEqual(String(decoding: bytes, as: UTF8.self),
                       "POST /a?b=c HTTP/1.1\r\nHost: example.org\r\nGrip-Sig: abc.def\r\nContent-Length: 3\r\n\r\n")
        let (head, length) = try completeRequest(bytes)
        XCTAssertEqual(length, bytes.count)
        XCTAssertEqual(head, RequestHead(method: "POST", target: "/a?b=c", version: .http11, headers: headers,
                                         framing: .contentLength(3), keepAlive: true))
    }

    func testResponseRoundTrip() throws {
        let headers = HTTPHeaders([("Content-Type", "text/event-stream"), ("Transfer-Encoding", "chunked")])
        let bytes = HeadSerializer.response(status: 200, reason: reasonPhrase(for: 200), headers: headers)
        XCTAssertEqual(try completeResponse(bytes),
                       ResponseHead(status: 200, reason: "OK", version: .http11, headers: headers, framing: .chunked, keepAlive: true))
    }

    func testChunksDecodeBack() throws {
        let payloads = ["data: hello\n\n", String(repeating: "x", count: 300)]
        var body: [UInt8] = []
        for payload in payloads {
            ChunkedEncoder.append(Array(payload.utf8), to: &body)
        }
        ChunkedEncoder.append([], to: &body)
        body += ChunkedEncoder.lastChunk
        XCTAssertEqual(ChunkedEncoder.chunk(Array(repeating: 120, count: 300)).prefix(5), Array("12c\r\n".utf8)[...])
        XCTAssertEqual(ChunkedEncoder.frame([1, 2], chunked: false), [1, 2])
        var decoder = ChunkedDecoder(maxBodyBytes: nil)
        var decoded: [UInt8] = []
        let (consumed, step) = try body.withUnsafeBytes { try decoder.decode($0) { decoded += $0 } }
        XCTAssertEqual(step, .finished)
        XCTAssertEqual(consumed, body.count)
        XCTAssertEqual(String(decoding: decoded, as: UTF8.self), payloads.joined())
    }

    func testFieldsThatWouldBreakTheFramingAreLeftOut() throws {
        let headers = HTTPHeaders([("X-Ok", "a\tb"), ("X-Split", "a\r\nSet-Cookie: x"), ("Bad Name", "v"), ("", "v"),
                                   ("X-Nul", "a\u{0}"), ("X-Padded", " v")])
        let bytes = HeadSerializer.response(status: 200, reason: "OK\r\nX: y", headers: headers)
        XCTAssertEqual(String(decoding: bytes, as: UTF8.self), "HTTP/1.1 200 \r\nX-Ok: a\tb\r\n\r\n")
        XCTAssertTrue(HeadSerializer.isValidField(name: "Content-Type", value: "text/plain; charset=utf-8"))
        XCTAssertTrue(HeadSerializer.isValidField(name: "X-Empty", value: ""))
        XCTAssertFalse(HeadSerializer.isValidField(name: "X", value: "a\nb"))
    }

    func testParsedFieldsAreWrittenAsReceivedAndAddedOnesAreCheckedAgain() throws {
        var headers = try completeResponse(wire("HTTP/1.1 200 OK\nX-Tab: a\tb\nX-Utf8: caf\u{e9}\n\n")).headers
        XCTAssertTrue(headers.fieldsAreWireSafe)
        let written = "HTTP/1.1 200 OK\r\nX-Tab: a\tb\r\nX-Utf8: caf\u{e9}\r\n\r\n"
        XCTAssertEqual(String(decoding: HeadSerializer.response(status: 200, reason: "OK", headers: headers), as: UTF8.self), written)
        headers.add("X-Split", "a\r\nSet-Cookie: x")
        XCTAssertFalse(headers.fieldsAreWireSafe)
        XCTAssertEqual(String(decoding: HeadSerializer.response(status: 200, reason: "OK", headers: headers), as: UTF8.self), written)
    }

    func testReasonPhrases() {
        XCTAssertEqual(reasonPhrase(for: 404), "Not Found")
        XCTAssertEqual(reasonPhrase(for: 431), "Request Header Fields Too Large")
        XCTAssertEqual(reasonPhrase(for: 599), "")
    }
}
