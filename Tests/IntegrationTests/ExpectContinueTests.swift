import XCTest

/// `Expect: 100-continue`: Holdfast answers `100 Continue` once it admits the request, the
/// backend never sees the expectation, and a client gets one interim answer, never two.
final class ExpectContinueTests: ScenarioTestCase {
    private let body = "hello body"

    private func headExpectingContinue(_ target: String, length: Int) -> String {
        "POST \(target) HTTP/1.1\r\nHost: localhost\r\nContent-Length: \(length)\r\nExpect: 100-continue\r\n\r\n"
    }

    func testAdmittedRequestGetsContinueAtOnceThenItsAnswer() throws {
        let client = try startProxy().client()
        try client.send(headExpectingContinue("/echo", length: body.utf8.count))
        let (interim, elapsed) = try timed { try client.readResponseHead(timeout: .seconds(2)) }
        XCTAssertEqual(interim.status, 100, "a client waiting to send its body expected 100 Continue")
        XCTAssertLessThan(elapsed, .seconds(1))
        try client.send(body)
        let response = try client.readResponse()
        XCTAssertEqual(response.status, 200)
        let echo = try decode(EchoReply.self, from: response)
        XCTAssertEqual(echo.body, body)
        XCTAssertNil(echo.header("expect"), "the backend expected no Expect header: Holdfast already answered it")
        XCTAssertEqual(client.unreadByteCount(waiting: .milliseconds(200)), 0, "nothing expected after the final answer")
    }

    /// A body over the limit is refused with its final status, without a 100 first.
    func testRefusedRequestGetsItsFinalStatusWithoutContinue() throws {
        let client = try startProxy { $0.server["max_body_bytes"] = 100 }.client()
        try client.send(headExpectingContinue("/echo", length: 5000))
        XCTAssertEqual(try client.readResponseHead().status, 413)
        try assertBackendSawNoRequests()
    }

    /// A client that sends its body without waiting gets no 100 (it is not needed) and one answer.
    func testBodySentWithTheHeadGetsNoContinue() throws {
        let client = try startProxy().client()
        try client.send(headExpectingContinue("/echo", length: body.utf8.count) + body)
        let response = try client.readResponse()
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(try decode(EchoReply.self, from: response).body, body)
    }
}
