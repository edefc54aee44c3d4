import HTTP1
import XCTest

/// A response head over several reads, and the next one after an interim `1xx`.
final class ResponseHeadCollectorTests: XCTestCase {
    private func take(_ collector: inout ResponseHeadCollector, _ text: String) throws -> (head: ResponseHead, rest: [UInt8])? {
        try Array(text.utf8).withUnsafeBytes { bytes throws(HTTPResponseError) in try collector.take(bytes) }
    }

    func testAHeadSplitOverReadsThenTheNextHeadAfterAnInterimOne() throws {
        var collector = ResponseHeadCollector(maxHeadBytes: 1024, requestMethod: "GET")
        XCTAssertFalse(collector.hasBytes)
        XCTAssertNil(try take(&collector, "HTTP/1.1 100 Continue\r"))
        XCTAssertTrue(collector.hasBytes)
        let interim = try XCTUnwrap(try take(&collector, "\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n"))
        XCTAssertEqual(interim.head.status, 100)
        XCTAssertFalse(collector.hasBytes, "the bytes after a whole head are handed back, not kept")
        XCTAssertNil(try interim.rest.withUnsafeBytes { bytes throws(HTTPResponseError) in try collector.take(bytes) })
        let final = try XCTUnwrap(try take(&collector, "\r\nok"))
        XCTAssertEqual(final.head.status, 200)
        XCTAssertEqual(final.rest, Array("ok".utf8))
    }

    func testMalformedAndOversizedHeadsThrow() {
        var collector = ResponseHeadCollector(maxHeadBytes: 64, requestMethod: "GET")
        XCTAssertThrowsError(try take(&collector, "NOT HTTP\r\n\r\n"))
        collector.reset()
        XCTAssertThrowsError(try take(&collector, "HTTP/1.1 200 OK\r\nX: " + String(repeating: "a", count: 100)))
    }
}
