import XCTest

/// Control connections get the client side's timeouts (docs/operations.md, issue #8: 3,000 incomplete
/// requests to the control port stayed open).
final class ControlTimeoutTests: ScenarioTestCase {
    func testHeadTrickledOneBytePer200msIsCutOffAfterClientHeader() throws {
        let proxy = try startProxy { $0.timeouts["client_header"] = "1s" }
        let client = try HTTPClient(port: proxy.controlPort)
        try client.send("GET /healthz HTTP/1.1\r\nHost: x\r\n")
        let start = ContinuousClock.now
        var closed = false
        // Each byte would restart an idle timer; the head's deadline must hold anyway.
        for byte in Array("X-Slow: \(String(repeating: "s", count: 40))\r\n\r\n".utf8) {
            if client.isClosedByPeer(timeout: .milliseconds(200)) {
                closed = true
                break
            }
            do { try client.send([byte]) } catch {
                closed = client.isClosedByPeer(timeout: .milliseconds(200))
                break
            }
        }
        let elapsed = ContinuousClock.now - start
        XCTAssertTrue(closed, "the control connection expected closed while its head was still arriving")
        XCTAssertGreaterThanOrEqual(elapsed, .milliseconds(800))
        XCTAssertLessThan(elapsed, .milliseconds(2500))
        do {
            let response = try client.readResponse(timeout: .milliseconds(100))
            XCTAssertEqual(response.status, 408)
        } catch HTTPClientError.closedByPeer {
            // The 408 may be lost to a reset; the close is what matters.
        }
    }

    func testConnectionThatSendsNothingIsClosedAfterClientHeader() throws {
        let proxy = try startProxy { $0.timeouts["client_header"] = "1s" }
        let client = try HTTPClient(port: proxy.controlPort)
        let (closed, elapsed) = timed { client.isClosedByPeer(timeout: .seconds(4)) }
        XCTAssertTrue(closed, "a silent control connection expected closed after client_header")
        XCTAssertGreaterThanOrEqual(elapsed, .milliseconds(800))
        XCTAssertLessThan(elapsed, .milliseconds(2500))
    }

    func testIdleKeepAliveConnectionIsClosedAfterClientIdle() throws {
        let proxy = try startProxy { $0.timeouts["client_idle"] = "1s" }
        let client = try HTTPClient(port: proxy.controlPort)
        XCTAssertEqual(try client.get("/healthz").status, 200)
        let (closed, elapsed) = timed { client.isClosedByPeer(timeout: .seconds(4)) }
        XCTAssertTrue(closed, "an idle keep-alive control connection expected closed after client_idle")
        XCTAssertGreaterThanOrEqual(elapsed, .milliseconds(800))
        XCTAssertLessThan(elapsed, .milliseconds(2500))
    }
}
