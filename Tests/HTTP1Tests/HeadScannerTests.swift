import XCTest
@testable import HTTP1

final class HeadScannerTests: XCTestCase {
    func testResumesWhereItStopped() throws {
        let bytes = wire("GET / HTTP/1.1\nHost: a\n\n")
        var scanner = HeadScanner(maxLeadingEmptyLines: 0)
        XCTAssertEqual(try Array(bytes[0..<9]).withUnsafeBytes { try scanner.scan($0, limit: 100) }, .incomplete)
        XCTAssertEqual(scanner.scanned, 9)
        // Bytes already scanned are not looked at again: a change there goes unnoticed.
        var altered = bytes
        altered[2] = ByteClass.lf
        XCTAssertEqual(try altered.withUnsafeBytes { try scanner.scan($0, limit: 100) }, .complete(start: 0, end: bytes.count))
        XCTAssertEqual(scanner.startLineEnd, 14)
        XCTAssertEqual(scanner.firstSpace, 3)
        XCTAssertEqual(scanner.secondSpace, 5)
        XCTAssertEqual(scanner.fieldLineCount, 1)
    }

    func testStopsAtTheLimit() throws {
        var scanner = HeadScanner(maxLeadingEmptyLines: 0)
        let bytes = wire("GET / HTTP/1.1\nHost: a\n\n")
        XCTAssertEqual(try bytes.withUnsafeBytes { try scanner.scan($0, limit: bytes.count - 1) }, .incomplete)
        XCTAssertEqual(scanner.scanned, bytes.count - 1)
    }
}
