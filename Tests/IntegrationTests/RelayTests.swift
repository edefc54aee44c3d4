import XCTest

/// Responses without GRIP instructions are relayed as they arrive, whatever their framing.
final class RelayTests: ScenarioTestCase {
    func testStreamedResponseReachesTheClientBeforeTheBackendFinishes() throws {
        let client = try startProxy().client()
        let start = ContinuousClock.now
        // The backend sends chunk 0 at once, chunk 1 after 500 ms and chunk 2 after 1000 ms.
        try client.sendRequest("GET", "/stream?chunks=3&delay_ms=500")
        XCTAssertEqual(try client.readResponseHead().status, 200)
        let first = try client.readBodyPart()
        let firstArrival = ContinuousClock.now - start
        var body = first ?? []
        while let part = try client.readBodyPart() { body += part }
        let lastArrival = ContinuousClock.now - start
        XCTAssertLessThan(firstArrival, .milliseconds(400), "the first chunk expected before the backend sends the second")
        XCTAssertTrue(String(decoding: first ?? [], as: UTF8.self).hasPrefix("chunk 0"))
        XCTAssertEqual(String(decoding: body, as: UTF8.self), "chunk 0\nchunk 1\nchunk 2\n")
        XCTAssertGreaterThanOrEqual(lastArrival, .milliseconds(900))
    }

    func testCloseDelimitedBodyIsRelayedCompletely() throws {
        let client = try startProxy().client()
        let response = try client.get("/close-delimited?bytes=200000")
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.body.count, 200_000)
        XCTAssertEqual(response.body, FakeBackend.patternBytes(count: 200_000))
    }

    func testContentLengthBodyIsRelayedCompletely() throws {
        let client = try startProxy().client()
        let response = try client.get("/length?bytes=500000")
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.body, FakeBackend.patternBytes(count: 500_000))
    }
}
