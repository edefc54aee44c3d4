import WebSocket
import XCTest

final class UTF8ValidatorTests: XCTestCase {
    private func isValid(_ bytes: [UInt8]) -> Bool {
        var validator = UTF8Validator()
        return validator.validate(bytes) && validator.isAtBoundary
    }

    func testValidText() {
        for text in ["", "plain", "é", "€", "𝄞", "κόσμε", "\u{10FFFF}", "\u{D7FF}\u{E000}"] {
            XCTAssertTrue(isValid(Array(text.utf8)), text)
        }
    }

    func testInvalidSequences() {
        let cases: [(String, [UInt8])] = [
            ("overlong 2-byte", [0xC0, 0x80]), ("overlong 2-byte C1", [0xC1, 0xBF]),
            ("overlong 3-byte", [0xE0, 0x80, 0x80]), ("overlong 4-byte", [0xF0, 0x80, 0x80, 0x80]),
            ("surrogate", [0xED, 0xA0, 0x80]), ("past U+10FFFF", [0xF4, 0x90, 0x80, 0x80]),
            ("F5 lead", [0xF5, 0x80, 0x80, 0x80]), ("lone continuation", [0x80]),
            ("missing continuation", [0xE2, 0x82, 0x41]), ("FF", [0xFF]),
        ]
        for (name, bytes) in cases { XCTAssertFalse(isValid(bytes), name) }
    }

    func testFailsOnTheFirstBadByte() {
        var validator = UTF8Validator()
        XCTAssertTrue(validator.validate([0xE2, 0x82]))
        XCTAssertFalse(validator.isAtBoundary)
        XCTAssertTrue(validator.validate([0xAC]))
        XCTAssertTrue(validator.isAtBoundary)
        XCTAssertFalse(validator.validate([0xED, 0xBF]), "a surrogate's second byte is refused at once")
    }
}
