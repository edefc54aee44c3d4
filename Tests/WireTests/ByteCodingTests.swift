import Wire
import XCTest

final class ByteCodingTests: XCTestCase {
    func testEveryPrimitiveRoundTrips() throws {
        var writer = ByteWriter()
        writer.u8(7)
        writer.u16(0xBEEF)
        writer.u32(0xDEAD_BEEF)
        writer.u64(.max)
        writer.int(-42)
        writer.bool(true)
        writer.bytes([1, 2, 3])
        writer.string("héllo")
        writer.optional(nil as String?) { $0.string($1) }
        writer.optional("x") { $0.string($1) }
        writer.count(2)
        var reader = ByteReader(writer.output)
        XCTAssertEqual(try reader.u8("a"), 7)
        XCTAssertEqual(try reader.u16("b"), 0xBEEF)
        XCTAssertEqual(try reader.u32("c"), 0xDEAD_BEEF)
        XCTAssertEqual(try reader.u64("d"), .max)
        XCTAssertEqual(try reader.int("e"), -42)
        XCTAssertEqual(try reader.bool("f"), true)
        XCTAssertEqual(try reader.bytes("g"), [1, 2, 3])
        XCTAssertEqual(try reader.string("h"), "héllo")
        XCTAssertNil(try reader.optional("i") { reader throws(WireError) in try reader.string("i") })
        XCTAssertEqual(try reader.optional("j") { reader throws(WireError) in try reader.string("j") }, "x")
        XCTAssertThrowsError(try reader.count("k")) { error in
            // Two elements announced, nothing left to hold them.
            XCTAssertEqual((error as? WireError)?.reason, "k expected at most 0 elements; got 2")
        }
    }

    func testBigEndianLayout() {
        var writer = ByteWriter()
        writer.u32(0x0102_0304)
        writer.u16(0x0506)
        XCTAssertEqual(writer.output, [1, 2, 3, 4, 5, 6])
    }

    func testOverrunsAreErrorsNamingTheField() {
        var reader = ByteReader([0, 0, 0, 9, 1])
        XCTAssertThrowsError(try reader.bytes("body")) { error in
            XCTAssertEqual((error as? WireError)?.reason, "body expected 9 bytes at offset 4; got 1")
        }
        var short = ByteReader([1])
        XCTAssertThrowsError(try short.u64("id"))
    }

    /// A count that reads as huge (or, written as a signed integer, negative) fails instead of looping.
    func testCorruptCountsAreErrors() {
        var reader = ByteReader([0xFF, 0xFF, 0xFF, 0xFF, 1, 2])
        XCTAssertThrowsError(try reader.count("items"))
        var wide = ByteReader([0, 0, 0, 2, 1, 2, 3])
        XCTAssertThrowsError(try wide.count("pairs", minimumElementBytes: 2))
        var fits = ByteReader([0, 0, 0, 1, 1, 2])
        XCTAssertEqual(try fits.count("pairs", minimumElementBytes: 2), 1)
    }

    func testFlagsAndTextAreChecked() {
        var flag = ByteReader([2])
        XCTAssertThrowsError(try flag.bool("up"))
        var presence = ByteReader([3])
        XCTAssertThrowsError(try presence.optional("id") { reader throws(WireError) in try reader.u8("id") })
        var text = ByteReader([0, 0, 0, 1, 0xFF])
        XCTAssertThrowsError(try text.string("name"))
        let trailing = ByteReader([0])
        XCTAssertThrowsError(try trailing.expectEnd(after: "the flag"))
    }
}
