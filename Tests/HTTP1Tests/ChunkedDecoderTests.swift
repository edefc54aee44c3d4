import XCTest
@testable import HTTP1

final class ChunkedDecoderTests: XCTestCase {
    /// Decodes `bytes` fed in pieces ending at `splits`, returning the body and the bytes consumed in total.
    private func decode(_ bytes: [UInt8], splits: [Int] = [], maxBodyBytes: Int? = nil) throws -> (body: [UInt8], consumed: Int, finished: Bool) {
        var decoder = ChunkedDecoder(maxBodyBytes: maxBodyBytes)
        var body: [UInt8] = []
        var offset = 0
        for end in splits + [bytes.count] where end >= offset {
            // Like the proxy: unconsumed bytes stay in the buffer and are offered again with the next ones.
            let (consumed, step) = try Array(bytes[offset..<end]).withUnsafeBytes {
                try decoder.decode($0) { body.append(contentsOf: $0) }
            }
            offset += consumed
            if step == .finished { return (body, offset, true) }
        }
        return (body, offset, false)
    }

    private func assertRejected(_ text: String, status: Int = 400, maxBodyBytes: Int? = nil,
                                file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try decode(Array(text.utf8), maxBodyBytes: maxBodyBytes), file: file, line: line) {
            XCTAssertEqual(($0 as? HTTPRequestError)?.status, status, "\($0)", file: file, line: line)
        }
    }

    func testChunksExtensionsAndTrailers() throws {
        let text = "5\r\nhello\r\n6;name=value;flag ; q=\"a \\\" b\"\r\n world\r\n00 ; last\r\nX-Trailer: t\r\nY: \r\n\r\nGET"
        let result = try decode(Array(text.utf8))
        XCTAssertEqual(String(decoding: result.body, as: UTF8.self), "hello world")
        XCTAssertTrue(result.finished)
        XCTAssertEqual(result.consumed, text.utf8.count - 3, "bytes after the body stay unconsumed")
    }

    func testEverySplitGivesTheSameBody() throws {
        let bytes = Array("1a;x=\"y\"\r\nabcdefghijklmnopqrstuvwxyz\r\n3\r\n123\r\n0\r\nT: v\r\n\r\n".utf8)
        for split in 0...bytes.count {
            let result = try decode(bytes, splits: [split])
            XCTAssertEqual(String(decoding: result.body, as: UTF8.self), "abcdefghijklmnopqrstuvwxyz123", "split at \(split)")
            XCTAssertTrue(result.finished)
            XCTAssertEqual(result.consumed, bytes.count)
        }
        let byteByByte = try decode(bytes, splits: Array(0...bytes.count))
        XCTAssertEqual(byteByByte.body.count, 29)
        XCTAssertTrue(byteByByte.finished)
    }

    func testDataSlicesAreHandedOutWithoutWaitingForTheWholeChunk() throws {
        var decoder = ChunkedDecoder(maxBodyBytes: nil)
        var slices: [String] = []
        let (consumed, step) = try Array("a\r\nhello".utf8).withUnsafeBytes {
            try decoder.decode($0) { slices.append(String(decoding: $0, as: UTF8.self)) }
        }
        XCTAssertEqual(slices, ["hello"])
        XCTAssertEqual(consumed, 8)
        XCTAssertEqual(step, .needMore)
    }

    func testIncompleteBodyNeedsMore() throws {
        XCTAssertFalse(try decode(Array("5\r\nhello\r\n0\r\n".utf8)).finished)
        XCTAssertFalse(try decode(Array("5\r\nhello\r\n0\r\n\r".utf8)).finished)
    }

    func testBadSizes() {
        for text in ["\r\n", "x\r\n", "-1\r\n", "0x5\r\n", ";a\r\n", "5 5\r\n", " 5\r\n", "5\n", "5\rx"] {
            assertRejected(text)
        }
    }

    func testSizeOverflow() {
        assertRejected("10000000000000000\r\n")
        XCTAssertNoThrow(try decode(Array("ffffffffffffffff\r\n".utf8)))
    }

    func testMissingCRLFAfterData() {
        assertRejected("3\r\nabcd\r\n")
        assertRejected("3\r\nabc\n0\r\n\r\n")
        assertRejected("3\r\nabc\rx")
    }

    func testBadExtensionsAndTrailers() {
        for text in ["5;\r\n", "5;=a\r\n", "5;a=\r\n", "5;a=\"b\r\n", "5;a=b c\r\n", "5;a\u{1}\r\n", "5;a=\"\u{1}\"\r\n",
                     "0\r\n X: folded\r\n\r\n", "0\r\nX : v\r\n\r\n", "0\r\nX\r\n\r\n", "0\r\nX: v\nY: w\r\n\r\n",
                     "0\r\nX: \u{1}\r\n\r\n", "0\r\n\rx"] {
            assertRejected(text)
        }
    }

    func testBodyLimit() throws {
        XCTAssertEqual(try decode(Array("5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n".utf8), maxBodyBytes: 10).body.count, 10)
        assertRejected("5\r\nhello\r\n6\r\nworld!\r\n0\r\n\r\n", status: 413, maxBodyBytes: 10)
    }

    func testEndlessMetadataIsRefused() {
        assertRejected("5;" + String(repeating: "a", count: ChunkedDecoder.maxMetadataBytes) + "\r\n")
        assertRejected("0\r\nX: " + String(repeating: "a", count: ChunkedDecoder.maxMetadataBytes) + "\r\n\r\n")
    }
}
