import XCTest

/// Client-side HTTP details: old clients and half-closed connections.
final class ClientProtocolTests: ScenarioTestCase {
    func testHTTP10ClientGetsAChunkedBodyDecodedAndEndedByClose() throws {
        let client = try startProxy().client()
        try client.send("GET /stream?chunks=2&delay_ms=10 HTTP/1.0\r\nHost: localhost\r\n\r\n")
        let response = try client.readResponse()
        XCTAssertEqual(response.status, 200)
        XCTAssertNil(response.header("transfer-encoding"), "an HTTP/1.0 client cannot read chunked coding")
        XCTAssertEqual(String(decoding: response.body, as: UTF8.self), "chunk 0\nchunk 1\n")
        XCTAssertTrue(client.isClosedByPeer(timeout: .seconds(2)))
    }

    func testHalfClosedClientStillGetsItsAnswerThenTheConnectionCloses() throws {
        let client = try startProxy().client()
        try client.sendRequest("GET", "/slow-head?delay_ms=300")
        client.shutdownWrite()
        let response = try client.readResponse()
        XCTAssertEqual(response.status, 200)
        XCTAssertTrue(client.isClosedByPeer(timeout: .seconds(2)))
    }
}
