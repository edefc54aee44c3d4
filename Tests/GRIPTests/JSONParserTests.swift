@testable import GRIP
import XCTest

final class JSONParserTests: XCTestCase {
    private func parse(_ text: String) -> JSONValue? { JSONValue.parse(Array(text.utf8)) }

    func testValuesKeepTheirTypes() {
        XCTAssertEqual(parse(#" {"a": [true, false, null, 1, -2, 1.5, "x"], "b": {}, "c": []} "#), .object([
            "a": .array([.bool(true), .bool(false), .null, .integer(1), .integer(-2), .number(1.5), .string("x")]),
            "b": .object([:]), "c": .array([]),
        ]))
    }

    func testIntegralNumbersAreIntegersAndOthersAreNot() {
        XCTAssertEqual(parse("200.0"), .integer(200))
        XCTAssertEqual(parse("2e2"), .integer(200))
        XCTAssertEqual(parse("-0"), .integer(0))
        XCTAssertEqual(parse("0.25"), .number(0.25))
        XCTAssertEqual(parse("1e300"), .number(1e300))
        XCTAssertEqual(parse("123456789012345678901234567890"), .number(1.2345678901234568e29))
    }

    func testEscapesDecode() {
        XCTAssertEqual(parse(#""a\"b\\c\/d\b\f\n\r\t""#), .string("a\"b\\c/d\u{8}\u{c}\n\r\t"))
        XCTAssertEqual(parse(#""\u00fc\u20AC \ud83d\ude00 plain ü""#), .string("ü€ 😀 plain ü"))
    }

    func testRepeatedNameKeepsTheLastValue() {
        XCTAssertEqual(parse(#"{"a": 1, "a": 2}"#), .object(["a": .integer(2)]))
    }

    func testInvalidTextIsRefused() {
        for text in ["", " ", "{", "[1,]", "{\"a\":1,}", "{a: 1}", "01", "1.", ".5", "-", "1e", "+1", "tru", "nul",
                     "\"open", "\"tab\there\"", #""\x""#, #""\u12""#, #""\ud83d""#, #""\ude00""#, #""\ud83d\u0041""#,
                     "[1] [2]", "{\"a\" 1}", "1e400", "[1 2]"] {
            XCTAssertNil(parse(text), "expected \(text.debugDescription) to be refused")
        }
        XCTAssertNil(JSONValue.parse([UInt8(ascii: "\""), 0xC3, 0x28, UInt8(ascii: "\"")]), "invalid UTF-8 expected to be refused")
    }

    func testNestingDeeperThanTheLimitIsRefusedWithoutCrashing() {
        let limit = JSONParser.maxDepth
        XCTAssertNotNil(parse(String(repeating: "[", count: limit) + String(repeating: "]", count: limit)))
        XCTAssertNil(parse(String(repeating: "[", count: limit + 1) + String(repeating: "]", count: limit + 1)))
        XCTAssertNil(parse(String(repeating: "[", count: 1_000_000)))
    }
}
