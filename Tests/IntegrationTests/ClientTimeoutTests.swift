import XCTest

/// Clients that send too slowly or sit idle are disconnected.
final class ClientTimeoutTests: ScenarioTestCase {
    func testHeadTrickledOneBytePer100msIsCutOffAtClientHeaderTimeout() throws {
        let client = try startProxy { config in config.timeouts["client_header"] = "500ms" }.client()
        let head = Array("GET /echo HTTP/1.1\r\nHost: localhost\r\nX-Slow: \(String(repeating: "s", count: 40))\r\n\r\n".utf8)
        let start = ContinuousClock.now
        var closed = false
        for byte in head {
            // The 100 ms wait for a close is also the pace of the trickle.
            if client.isClosedByPeer(timeout: .milliseconds(100)) {
                closed = true
                break
            }
            do { try client.send([byte]) } catch {
                closed = client.isClosedByPeer(timeout: .milliseconds(100))
                break
            }
        }
        let elapsed = ContinuousClock.now - start
        XCTAssertTrue(closed, "connection expected closed while the head was still arriving")
        XCTAssertGreaterThanOrEqual(elapsed, .milliseconds(400))
        XCTAssertLessThan(elapsed, .milliseconds(1500))
        do {
            let response = try client.readResponse(timeout: .milliseconds(100))
            XCTAssertEqual(response.status, 408, "the only response expected for a slow head is 408")
        } catch HTTPClientError.closedByPeer {
            // A plain close without a 408 is allowed too.
        }
        try assertBackendSawNoRequests()
    }

    func testIdleKeepAliveConnectionIsClosedAfterClientIdleTimeout() throws {
        let client = try startProxy { config in config.timeouts["client_idle"] = "300ms" }.client()
        XCTAssertEqual(try client.get("/echo").status, 200)
        let (closed, elapsed) = timed { client.isClosedByPeer(timeout: .seconds(2)) }
        XCTAssertTrue(closed)
        XCTAssertGreaterThanOrEqual(elapsed, .milliseconds(200))
        XCTAssertLessThan(elapsed, .seconds(1))
    }
}
