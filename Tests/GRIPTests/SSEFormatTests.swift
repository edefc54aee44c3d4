import GRIP
import XCTest

final class SSEFormatTests: XCTestCase {
    private func event(_ id: String, _ payload: String) -> String {
        String(decoding: SSEFormat.event(id: id, payload: Array(payload.utf8)), as: UTF8.self)
    }

    func testSingleLine() {
        XCTAssertEqual(event("8", "hello"), "id: 8\ndata: hello\n\n")
    }

    func testOneTrailingNewlineIsDropped() {
        XCTAssertEqual(event("1", "hello\n"), "id: 1\ndata: hello\n\n")
        XCTAssertEqual(event("1", "hello\n\n"), "id: 1\ndata: hello\ndata: \n\n")
    }

    func testMultiLinePayload() {
        XCTAssertEqual(event("2", "a\nb\n\nc"), "id: 2\ndata: a\ndata: b\ndata: \ndata: c\n\n")
    }

    func testCRLFAndLoneCRSplitLinesLikeAnSSEClient() {
        XCTAssertEqual(event("3", "a\r\nb\rc\r\n"), "id: 3\ndata: a\ndata: b\ndata: c\n\n")
    }

    func testEmptyPayloadIsOneEmptyDataLine() {
        XCTAssertEqual(event("4", ""), "id: 4\ndata: \n\n")
        XCTAssertEqual(event("4", "\n"), "id: 4\ndata: \n\n")
    }

    func testBinaryBytesPassThrough() {
        XCTAssertEqual(SSEFormat.event(id: "5", payload: [0xFF, 0x00]), Array("id: 5\ndata: ".utf8) + [0xFF, 0x00, 0x0A, 0x0A])
    }

    func testKeepAliveIsACommentLine() {
        XCTAssertEqual(SSEFormat.keepAliveComment, Array(":\n\n".utf8))
    }
}
