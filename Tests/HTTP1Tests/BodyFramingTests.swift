import HTTP1
import XCTest

/// Request and response bodies re-framed on their way through the proxy.
final class RequestBodyTests: XCTestCase {
    private func consume(_ body: inout RequestBody, _ text: String) throws -> (consumed: Int, output: String) {
        var output: [UInt8] = []
        let bytes = Array(text.utf8)
        let consumed = try bytes.withUnsafeBytes { buffer in try body.consume(buffer, into: &output) }
        return (consumed, String(decoding: output, as: UTF8.self))
    }

    func testContentLengthBodyPassesAsItIsAndStopsAtItsLength() throws {
        var body = RequestBody(.contentLength(5), maxBodyBytes: 100)
        let first = try consume(&body, "hel")
        XCTAssertEqual(first.consumed, 3)
        XCTAssertFalse(body.isComplete)
        let second = try consume(&body, "loGET / HTTP/1.1")
        XCTAssertEqual(second.consumed, 2)
        XCTAssertEqual(first.output + second.output, "hello")
        XCTAssertTrue(body.isComplete)
    }

    func testChunkedBodyIsReEncodedWithoutExtensionsOrTrailers() throws {
        var body = RequestBody(.chunked, maxBodyBytes: 100)
        let result = try consume(&body, "5;ext=1\r\nhello\r\n0\r\nX-Trailer: t\r\n\r\nNEXT")
        XCTAssertEqual(result.output, "5\r\nhello\r\n0\r\n\r\n")
        XCTAssertEqual(result.consumed, "5;ext=1\r\nhello\r\n0\r\nX-Trailer: t\r\n\r\n".utf8.count)
        XCTAssertTrue(body.isComplete)
    }

    func testChunkedBodyOverTheLimitIsRefusedWith413() {
        var body = RequestBody(.chunked, maxBodyBytes: 4)
        XCTAssertThrowsError(try consume(&body, "5\r\nhello\r\n0\r\n\r\n")) { error in
            XCTAssertEqual((error as? HTTPRequestError)?.status, 413)
        }
    }

    func testNoBodyIsCompleteAtOnce() {
        XCTAssertTrue(RequestBody(.none, maxBodyBytes: 10).isComplete)
        XCTAssertTrue(RequestBody(.contentLength(0), maxBodyBytes: 10).isComplete)
        XCTAssertEqual(RequestBody.upstreamFraming(.contentLength(0)), .none)
    }
}

final class ResponseBodyTests: XCTestCase {
    private func consume(_ body: inout DecodedBody, _ text: String) throws -> (Int, String) {
        var data: [UInt8] = []
        let consumed = try Array(text.utf8).withUnsafeBytes { buffer in try body.consume(buffer) { data.append(contentsOf: $0) } }
        return (consumed, String(decoding: data, as: UTF8.self))
    }

    func testLengthChunkedAndCloseDelimitedBodiesEndWhereTheySay() throws {
        var length = DecodedBody(.contentLength(3))
        XCTAssertEqual(try consume(&length, "abcdef").0, 3)
        XCTAssertTrue(length.isComplete)

        var chunked = DecodedBody(.chunked)
        let (consumed, data) = try consume(&chunked, "2\r\nab\r\n0\r\n\r\nextra")
        XCTAssertEqual(consumed, 12)
        XCTAssertEqual(data, "ab")
        XCTAssertTrue(chunked.isComplete)

        var untilClose = DecodedBody(.untilClose)
        XCTAssertEqual(try consume(&untilClose, "anything").1, "anything")
        XCTAssertFalse(untilClose.isComplete)
        XCTAssertTrue(untilClose.endOfInput())
    }

    func testATruncatedBodyIsNotComplete() throws {
        var body = DecodedBody(.contentLength(10))
        _ = try consume(&body, "abc")
        XCTAssertFalse(body.endOfInput())
    }
}
