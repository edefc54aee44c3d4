@testable import WebSocket
import XCTest

final class FrameReaderTests: XCTestCase {
    private func events(_ bytes: [UInt8], max: Int = 1 << 20, cutAt cuts: [Int] = []) throws -> [WebSocketEvent] {
        var reader = FrameReader(maxMessageBytes: max)
        return try reader.read(bytes, cutAt: cuts)
    }

    private func assertRefused(_ bytes: [UInt8], code: UInt16, max: Int = 1 << 20, _ message: String = "",
                               file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try events(bytes, max: max), message, file: file, line: line) { error in
            XCTAssertEqual((error as? WebSocketError)?.closeCode, code, "\(error)", file: file, line: line)
        }
    }

    // MARK: Reassembly, at every split

    /// A fragmented text message with a ping between its fragments and a character split across
    /// them, a binary message, a pong and a close.
    private let conversation: [UInt8] =
        ClientFrames.frame(0x1, Array("Hé".utf8.prefix(2)), fin: false)
        + ClientFrames.frame(0x9, Array("ping".utf8))
        + ClientFrames.frame(0x0, Array("Hé".utf8.dropFirst(2)) + Array(" là".utf8))
        + ClientFrames.frame(0x2, [0, 1, 2, 0xFF])
        + ClientFrames.frame(0xA, [])
        + ClientFrames.close(1000, Array("bye".utf8))

    private let expected: [WebSocketEvent] = [
        .ping(Array("ping".utf8)), .text(Array("Hé là".utf8)), .binary([0, 1, 2, 0xFF]), .pong([]),
        .close(code: 1000, reason: "bye"),
    ]

    func testEveryTwoAndThreeWaySplit() throws {
        let count = conversation.count
        for first in 0...count {
            XCTAssertEqual(try events(conversation, cutAt: [first]), expected, "cut at \(first)")
            for second in first...count {
                XCTAssertEqual(try events(conversation, cutAt: [first, second]), expected, "cuts at \(first), \(second)")
            }
        }
    }

    func testByteAtATime() throws {
        XCTAssertEqual(try events(conversation, cutAt: Array(1..<conversation.count)), expected)
    }

    /// Every fragment and control frame counts, once it has ended, wherever the bytes are cut.
    func testFramesReadCountsEndedFrames() throws {
        var reader = FrameReader(maxMessageBytes: 1 << 20)
        _ = try reader.read(Array(conversation.dropLast(1)), cutAt: [3, 10])
        XCTAssertEqual(reader.framesRead, 5, "the close frame has not ended yet")
        _ = try reader.read(Array(conversation.suffix(1)))
        XCTAssertEqual(reader.framesRead, 6)
    }

    func testExtendedLengthsAtEverySplitOfTheirHeaders() throws {
        for size in [125, 126, 65535, 65536, 70000] {
            let payload = (0..<size).map { UInt8(truncatingIfNeeded: $0) }
            let frame = ClientFrames.frame(0x2, payload)
            for cut in 0...16 {
                XCTAssertEqual(try events(frame, cutAt: [cut]), [.binary(payload)], "size \(size), cut at \(cut)")
            }
        }
    }

    func testEmptyMessagesAndFragments() throws {
        let bytes = ClientFrames.frame(0x1, []) + ClientFrames.frame(0x2, [], fin: false) + ClientFrames.frame(0x0, [])
        XCTAssertEqual(try events(bytes), [.text([]), .binary([])])
    }

    // MARK: Framing rules (1002)

    func testUnmaskedClientFrameIsRefused() {
        assertRefused(ClientFrames.frame(0x1, Array("hi".utf8), masked: false), code: 1002)
    }

    func testReservedBitsAreRefused() {
        for rsv: UInt8 in [1, 2, 4, 7] { assertRefused(ClientFrames.frame(0x1, [], rsv: rsv), code: 1002, "rsv \(rsv)") }
    }

    func testReservedOpcodesAreRefused() {
        for opcode: UInt8 in [3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF] {
            assertRefused(ClientFrames.frame(opcode, []), code: 1002, "opcode \(opcode)")
        }
    }

    func testControlFramesMayNotBeFragmentedOrLong() {
        for opcode: UInt8 in [0x8, 0x9, 0xA] {
            assertRefused(ClientFrames.frame(opcode, [], fin: false), code: 1002, "fragmented \(opcode)")
            assertRefused(ClientFrames.frame(opcode, [UInt8](repeating: 0x41, count: 126)), code: 1002, "long \(opcode)")
        }
        XCTAssertEqual(try events(ClientFrames.frame(0x9, [UInt8](repeating: 0x41, count: 125))), [.ping([UInt8](repeating: 0x41, count: 125))])
    }

    func testFragmentsOutOfOrderAreRefused() {
        assertRefused(ClientFrames.frame(0x0, Array("x".utf8)), code: 1002, "continuation with nothing to continue")
        assertRefused(ClientFrames.text("a", fin: false) + ClientFrames.text("b"), code: 1002, "new message inside one")
        assertRefused(ClientFrames.text("a", fin: false) + ClientFrames.frame(0x2, []), code: 1002, "binary inside text")
    }

    func testSixtyFourBitLengthWithTopBitSet() {
        let header: [UInt8] = [0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 1] + ClientFrames.mask
        assertRefused(header, code: 1002)
        // Refused from the length's first byte: nothing more needs to arrive.
        assertRefused(Array(header.prefix(3)), code: 1002)
    }

    func testLengthsNotInTheirShortestFormAreRefused() {
        assertRefused(ClientFrames.frame(0x2, [1, 2, 3], length: .sixteenBit), code: 1002)
        assertRefused(ClientFrames.frame(0x2, [UInt8](repeating: 0, count: 125), length: .sixteenBit), code: 1002)
        assertRefused(ClientFrames.frame(0x2, [UInt8](repeating: 0, count: 65535), length: .sixtyFourBit), code: 1002)
    }

    // MARK: UTF-8 (1007)

    func testInvalidTextIsRefused() {
        assertRefused(ClientFrames.frame(0x1, [0x48, 0xC0, 0x80]), code: 1007)
    }

    func testInvalidPrefixFailsBeforeTheMessageIsComplete() {
        // Only the header and the first payload byte of an unfinished message arrive.
        let frame = ClientFrames.frame(0x1, [0xFF, 0x41, 0x41], fin: false)
        assertRefused(Array(frame.prefix(7)), code: 1007)
    }

    func testCharacterSplitAcrossFragmentsIsAccepted() throws {
        let euro = Array("€".utf8)
        let bytes = ClientFrames.frame(0x1, [euro[0]], fin: false) + ClientFrames.frame(0x0, [euro[1]], fin: false)
            + ClientFrames.frame(0x0, [euro[2]])
        XCTAssertEqual(try events(bytes), [.text(euro)])
    }

    func testTextEndingInsideACharacterIsRefused() {
        assertRefused(ClientFrames.frame(0x1, Array("€".utf8.prefix(2))), code: 1007)
    }

    func testBinaryIsNotChecked() throws {
        XCTAssertEqual(try events(ClientFrames.frame(0x2, [0xFF, 0xC0])), [.binary([0xFF, 0xC0])])
    }

    // MARK: Close frames

    func testClosePayloads() throws {
        XCTAssertEqual(try events(ClientFrames.frame(0x8, [])), [.close(code: nil, reason: "")])
        for code: UInt16 in [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1014, 3000, 3999, 4000, 4999] {
            XCTAssertEqual(try events(ClientFrames.close(code)), [.close(code: code, reason: "")], "code \(code)")
        }
        for code: UInt16 in [0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535] {
            assertRefused(ClientFrames.close(code), code: 1002, "code \(code)")
        }
        assertRefused(ClientFrames.frame(0x8, [0x03]), code: 1002, "one byte")
        assertRefused(ClientFrames.close(1000, [0xCE, 0xBA, 0xE1, 0xBD]), code: 1007, "reason cut inside a character")
    }

    func testNothingIsReadAfterClose() throws {
        var reader = FrameReader(maxMessageBytes: 100)
        let bytes = ClientFrames.close(1001) + ClientFrames.text("late") + [0xFF, 0xFF]
        XCTAssertEqual(try reader.read(bytes), [.close(code: 1001, reason: "")])
        XCTAssertTrue(reader.closeReceived)
    }

    // MARK: max_message_bytes (1009)

    func testMessageSizeLimit() throws {
        XCTAssertEqual(try events(ClientFrames.frame(0x2, [UInt8](repeating: 1, count: 10)), max: 10), [.binary([UInt8](repeating: 1, count: 10))])
        // Refused from the header alone, before any of the payload is taken.
        let big = ClientFrames.frame(0x2, [UInt8](repeating: 1, count: 11))
        assertRefused(Array(big.prefix(6)), code: 1009, max: 10)
        let fragments = ClientFrames.frame(0x2, [UInt8](repeating: 1, count: 6), fin: false)
            + ClientFrames.frame(0x0, [UInt8](repeating: 1, count: 5))
        assertRefused(fragments, code: 1009, max: 10)
        // Control frames do not count toward a message.
        let withPing = ClientFrames.frame(0x2, [1], fin: false) + ClientFrames.frame(0x9, [UInt8](repeating: 0, count: 50))
            + ClientFrames.frame(0x0, [2])
        XCTAssertEqual(try events(withPing, max: 10), [.ping([UInt8](repeating: 0, count: 50)), .binary([1, 2])])
    }
}
