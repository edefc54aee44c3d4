import WebSocket
import XCTest

final class FrameEncoderTests: XCTestCase {
    func testLengthForms() {
        XCTAssertEqual(FrameEncoder.frame(.text, payload: Array("hi".utf8)), [0x81, 2, 0x68, 0x69])
        XCTAssertEqual(Array(FrameEncoder.frame(.binary, payload: [UInt8](repeating: 0, count: 125)).prefix(2)), [0x82, 125])
        XCTAssertEqual(Array(FrameEncoder.frame(.binary, payload: [UInt8](repeating: 0, count: 126)).prefix(4)), [0x82, 126, 0, 126])
        XCTAssertEqual(Array(FrameEncoder.frame(.binary, payload: [UInt8](repeating: 0, count: 65535)).prefix(4)), [0x82, 126, 0xFF, 0xFF])
        XCTAssertEqual(Array(FrameEncoder.frame(.binary, payload: [UInt8](repeating: 0, count: 65536)).prefix(10)),
                       [0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0])
        XCTAssertEqual(FrameEncoder.frame(.text, payload: [], fin: false), [0x01, 0])
        XCTAssertEqual(FrameEncoder.frame(.pong, payload: [7]), [0x8A, 1, 7])
    }

    func testCloseFrames() {
        XCTAssertEqual(FrameEncoder.close(code: 1009, reason: "big"), [0x88, 5, 0x03, 0xF1, 0x62, 0x69, 0x67])
        let long = FrameEncoder.close(code: 1000, reason: String(repeating: "é", count: 100))
        XCTAssertEqual(long[1], 124, "2 code bytes and 61 two-byte characters: the reason is cut on a boundary")
    }
}
