import XCTest
@testable import HTTP1

/// Request heads are written with "\n" for readability and sent with CRLF.
func wire(_ text: String) -> [UInt8] {
    Array(text.replacingOccurrences(of: "\n", with: "\r\n").utf8)
}

func parseRequest(_ bytes: [UInt8], limits: HTTPLimits = HTTPLimits()) throws -> HeadParseResult<RequestHead> {
    var parser = RequestHeadParser(limits: limits)
    return try bytes.withUnsafeBytes { try parser.parse($0) }
}

func parseResponse(_ bytes: [UInt8], method: String = "GET", maxHeadBytes: Int = 16384) throws -> HeadParseResult<ResponseHead> {
    var parser = ResponseHeadParser(maxHeadBytes: maxHeadBytes, requestMethod: method)
    return try bytes.withUnsafeBytes { try parser.parse($0) }
}

/// The head and its length, failing the test when the bytes are not one complete head.
func completeRequest(_ bytes: [UInt8], limits: HTTPLimits = HTTPLimits(),
                     file: StaticString = #filePath, line: UInt = #line) throws -> (RequestHead, Int) {
    guard case let .complete(head, length) = try parseRequest(bytes, limits: limits) else {
        XCTFail("expected a complete head", file: file, line: line)
        throw CancellationError()
    }
    return (head, length)
}

func completeResponse(_ bytes: [UInt8], method: String = "GET",
                      file: StaticString = #filePath, line: UInt = #line) throws -> ResponseHead {
    guard case let .complete(head, length) = try parseResponse(bytes, method: method) else {
        XCTFail("expected a complete head", file: file, line: line)
        throw CancellationError()
    }
    XCTAssertEqual(length, bytes.count, "head length", file: file, line: line)
    return head
}

/// Asserts that the request is refused with `status`, whole and when it arrives byte by byte.
func assertRejected(_ bytes: [UInt8], status: Int, limits: HTTPLimits = HTTPLimits(),
                    file: StaticString = #filePath, line: UInt = #line) {
    do {
        let result = try parseRequest(bytes, limits: limits)
        XCTFail("expected status \(status), got \(result)", file: file, line: line)
    } catch let error as HTTPRequestError {
        XCTAssertEqual(error.status, status, "\(error)", file: file, line: line)
    } catch {
        XCTFail("unexpected error \(error)", file: file, line: line)
    }
    var parser = RequestHeadParser(limits: limits)
    do {
        for end in 1...bytes.count {
            _ = try Array(bytes[0..<end]).withUnsafeBytes { try parser.parse($0) }
        }
        XCTFail("expected status \(status) byte by byte, got no error", file: file, line: line)
    } catch let error as HTTPRequestError {
        XCTAssertEqual(error.status, status, "byte by byte: \(error)", file: file, line: line)
    } catch {
        XCTFail("unexpected error \(error)", file: file, line: line)
    }
}

/// Every way of receiving the request in two pieces, and byte by byte, gives what the whole gives.
func assertSameAtEverySplit(_ bytes: [UInt8], limits: HTTPLimits = HTTPLimits(),
                            file: StaticString = #filePath, line: UInt = #line) throws {
    let whole = try parseRequest(bytes, limits: limits)
    guard case let .complete(_, headLength) = whole else { return XCTFail("expected a complete head", file: file, line: line) }
    for split in 0..<headLength {
        var parser = RequestHeadParser(limits: limits)
        let first = try Array(bytes[0..<split]).withUnsafeBytes { try parser.parse($0) }
        XCTAssertEqual(first, .incomplete, "prefix of \(split) bytes", file: file, line: line)
        let second = try bytes.withUnsafeBytes { try parser.parse($0) }
        XCTAssertEqual(second, whole, "split at \(split)", file: file, line: line)
    }
    var parser = RequestHeadParser(limits: limits)
    for end in 1...headLength {
        let result = try Array(bytes[0..<end]).withUnsafeBytes { try parser.parse($0) }
        XCTAssertEqual(result, end == headLength ? whole : .incomplete, "byte by byte at \(end)", file: file, line: line)
    }
}
