import GRIP
import XCTest

final class KeepAliveHeaderTests: XCTestCase {
    private func keepAlive(_ value: String, defaultInterval: Duration = GripHeaders.defaultKeepAliveInterval) throws -> KeepAlive? {
        try GripHeaders.parseHold(
            [(name: "Grip-Hold", value: "stream"), (name: "Grip-Channel", value: "a"), (name: "Grip-Keep-Alive", value: value)],
            defaultKeepAliveInterval: defaultInterval)?.keepAlive
    }

    private func reason(_ value: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        errorReason(GripHeaderError.self, file: file, line: line) { try keepAlive(value) }
    }

    func testRawIsTheDefaultFormatAndTheDefaultIntervalApplies() throws {
        XCTAssertEqual(try keepAlive("ping"), KeepAlive(data: Array("ping".utf8), interval: .seconds(20)))
        XCTAssertEqual(try keepAlive("ping; format=raw", defaultInterval: .seconds(7)),
                       KeepAlive(data: Array("ping".utf8), interval: .seconds(7)))
    }

    func testRawDataMayHoldCommasAndQuotedDataMayHoldSemicolons() throws {
        XCTAssertEqual(try keepAlive("{\"a\":1,\"b\":2}")?.data, Array("{\"a\":1,\"b\":2}".utf8))
        XCTAssertEqual(try keepAlive("\"x;y\"; timeout=5"), KeepAlive(data: Array("x;y".utf8), interval: .seconds(5)))
    }

    func testRawJSONDataKeepsItsQuotes() throws {
        XCTAssertEqual(try keepAlive(#"{"type":"ping","at":"a;b"}; timeout=9"#),
                       KeepAlive(data: Array(#"{"type":"ping","at":"a;b"}"#.utf8), interval: .seconds(9)))
    }

    func testCStringEscapes() throws {
        XCTAssertEqual(try keepAlive(#":\n\n; format=cstring; timeout=20"#),
                       KeepAlive(data: Array(":\n\n".utf8), interval: .seconds(20)))
        XCTAssertEqual(try keepAlive(#"a\\b\r\n\t\x00\x7F; format=cstring"#)?.data,
                       Array("a\\b\r\n\t".utf8) + [0x00, 0x7F])
    }

    func testBase64() throws {
        XCTAssertEqual(try keepAlive("OgoK; format=base64; timeout=3"), KeepAlive(data: Array(":\n\n".utf8), interval: .seconds(3)))
        XCTAssertEqual(try keepAlive("AP8=; format=base64")?.data, [0x00, 0xFF])
    }

    func testModesIdleAndIntervalAreAccepted() throws {
        XCTAssertEqual(try keepAlive("x; mode=idle")?.data, [UInt8(ascii: "x")])
        XCTAssertEqual(try keepAlive("x; mode=interval")?.data, [UInt8(ascii: "x")])
    }

    func testInvalidKeepAlives() {
        XCTAssertEqual(reason("; timeout=5"), #"Grip-Keep-Alive expects data before its parameters; got "; timeout=5""#)
        XCTAssertEqual(reason(#"a\q; format=cstring"#),
                       #"Grip-Keep-Alive cstring has the unknown escape \q; expected \\, \n, \r, \t, \" or \xHH"#)
        XCTAssertEqual(reason(#"a\; format=cstring"#), #"Grip-Keep-Alive cstring ends with a lone backslash: a\"#)
        XCTAssertEqual(reason(#"\x4; format=cstring"#), #"Grip-Keep-Alive cstring expects two hex digits after \x: \x4"#)
        XCTAssertEqual(reason("not*base64; format=base64"),
                       #"Grip-Keep-Alive expects non-empty base64 data; got "not*base64""#)
        XCTAssertEqual(reason("x; format=hex"), #"Grip-Keep-Alive format expects raw, cstring or base64; got "hex""#)
        XCTAssertEqual(reason("x; mode=sometimes"), #"Grip-Keep-Alive mode expects idle or interval; got "sometimes""#)
        XCTAssertEqual(reason("x; timeout=0"), #"Grip-Keep-Alive timeout expects whole seconds, at least 1; got "0""#)
        XCTAssertEqual(reason("x; timeout=soon"), #"Grip-Keep-Alive timeout expects whole seconds, at least 1; got "soon""#)
    }
}
