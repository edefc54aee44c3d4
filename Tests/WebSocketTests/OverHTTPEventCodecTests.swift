import XCTest
@testable import WebSocket

final class OverHTTPEventCodecTests: XCTestCase {
    private let every: [OverHTTPEvent] = [
        .open, .text(Array("hello".utf8)), .binary([0, 255, 13, 10]), .ping([]), .pong([1, 2]),
        .close(code: 1001, reason: Array("bye".utf8)), .close(code: nil, reason: []), .disconnect, .text([]),
    ]

    func testEncodesEachEventInPushpinsForm() {
        XCTAssertEqual(text(.open), "OPEN\r\n")
        XCTAssertEqual(text(.disconnect), "DISCONNECT\r\n")
        XCTAssertEqual(text(.text(Array("hello world".utf8))), "TEXT B\r\nhello world\r\n")
        XCTAssertEqual(text(.text([])), "TEXT 0\r\n\r\n")
        XCTAssertEqual(text(.ping(Array("p".utf8))), "PING 1\r\np\r\n")
        XCTAssertEqual(text(.pong([])), "PONG 0\r\n\r\n")
        XCTAssertEqual(OverHTTPEventCodec.encode([.close(code: 1000, reason: [])]), Array("CLOSE 2\r\n".utf8) + [0x03, 0xE8, 13, 10])
        XCTAssertEqual(text(.close(code: nil, reason: [])), "CLOSE\r\n")
        XCTAssertEqual(OverHTTPEventCodec.encode([.binary(Array(repeating: 7, count: 300))]).prefix(11), ArraySlice("BINARY 12C\r".utf8))
    }

    func testEveryEventRoundTripsWholeAndSplitAtEveryByte() throws {
        let body = OverHTTPEventCodec.encode(every)
        var whole = OverHTTPEventDecoder(maxContentBytes: 1024)
        XCTAssertEqual(try whole.read(body), every)
        XCTAssertNoThrow(try whole.finish())
        for split in 0...body.count {
            var decoder = OverHTTPEventDecoder(maxContentBytes: 1024)
            let events = try decoder.read(body[..<split]) + decoder.read(body[split...])
            XCTAssertEqual(events, every, "split at \(split)")
            XCTAssertNoThrow(try decoder.finish())
        }
        var bytewise = OverHTTPEventDecoder(maxContentBytes: 1024)
        var events: [OverHTTPEvent] = []
        for byte in body { events += try bytewise.read([byte]) }
        XCTAssertEqual(events, every)
    }

    func testAcceptsLowercaseHexAndContentHoldingCRLF() throws {
        var decoder = OverHTTPEventDecoder(maxContentBytes: 1024)
        let body = "TEXT c\r\nline\r\nline\r\n\r\nOPEN\r\n"
        XCTAssertEqual(try decoder.read(Array(body.utf8)), [.text(Array("line\r\nline\r\n".utf8)), .open])
    }

    func testAPartialEventIsKeptUntilTheRestComes() throws {
        var decoder = OverHTTPEventDecoder(maxContentBytes: 1024)
        XCTAssertEqual(try decoder.read(Array("TEXT 5\r\nhel".utf8)), [])
        XCTAssertThrowsError(try decoder.finish())
        XCTAssertEqual(try decoder.read(Array("lo\r\n".utf8)), [.text(Array("hello".utf8))])
        XCTAssertNoThrow(try decoder.finish())
    }

    func testRefusesMalformedBodies() {
        let bad = [
            "HELLO\r\n", "TEXT\u{20}\r\n\r\n", "TEXT zz\r\nab\r\n", "TEXT 2\r\nabc\r\n", "TEXT 123456789\r\n",
            "OPEN\n", "TEXT 1\r\na\n\n", "CLOSE 1\r\na\r\n", "text 1\r\na\r\n", "OPEN \r\n",
            String(repeating: "A", count: 40), String(repeating: "A", count: 40) + "\r\n",
        ]
        for body in bad {
            var decoder = OverHTTPEventDecoder(maxContentBytes: 1024)
            XCTAssertThrowsError(try { _ = try decoder.read(Array(body.utf8)); try decoder.finish() }(), "accepted \(body.debugDescription)")
        }
    }

    func testRefusesContentOverTheLimitFromItsLength() {
        var decoder = OverHTTPEventDecoder(maxContentBytes: 16)
        XCTAssertThrowsError(try decoder.read(Array("BINARY 11\r\n".utf8)))
        var fits = OverHTTPEventDecoder(maxContentBytes: 16)
        XCTAssertEqual(try fits.read(Array("BINARY 10\r\n".utf8) + Array(repeating: 1, count: 16) + [13, 10]),
                       [.binary(Array(repeating: 1, count: 16))])
    }

    func testCloseKeepsItsReason() throws {
        var decoder = OverHTTPEventDecoder(maxContentBytes: 64)
        XCTAssertEqual(try decoder.read([UInt8]("CLOSE 4\r\n".utf8) + [0x0F, 0xA0, 0x68, 0x69, 13, 10]),
                       [.close(code: 4000, reason: Array("hi".utf8))])
    }

    private func text(_ event: OverHTTPEvent) -> String {
        String(decoding: OverHTTPEventCodec.encode([event]), as: UTF8.self)
    }
}
