import XCTest

/// The per-backend pool bounds upstream connections; requests queue for it, boundedly.
final class PoolTests: ScenarioTestCase {
    func testBackendNeverSeesMoreThanMaxConnectionsUnderConcurrentLoad() throws {
        let proxy = try startProxy { config in
            config.backend.settings["max_connections"] = 2
            config.timeouts["queue"] = "30s"
        }
        let clients = try (0..<20).map { _ in try proxy.client() }
        for client in clients { try client.sendRequest("GET", "/slow-head?delay_ms=200") }
        for (index, client) in clients.enumerated() {
            let response = try client.readResponse(timeout: .seconds(20))
            XCTAssertEqual(response.status, 200, "request \(index)")
            XCTAssertEqual(response.bodyText, "slow\n", "request \(index)")
        }
        let stats = try backend.stats()
        XCTAssertLessThanOrEqual(stats.connectionsMax, 2, "backend connections expected at most max_connections")
        XCTAssertEqual(stats.requests, 20)
    }

    func testRequestWaitingLongerThanQueueTimeoutGets503() throws {
        let proxy = try startProxy { config in
            config.backend.settings["max_connections"] = 1
            config.timeouts["queue"] = "200ms"
        }
        let busy = try proxy.client()
        try busy.sendRequest("GET", "/slow-head?delay_ms=2000")
        try eventually("the slow request holds the only pooled connection") { try backend.stats().connectionsNow == 1 }
        let (queued, elapsed) = try timed { try proxy.client().get("/echo") }
        XCTAssertEqual(queued.status, 503)
        XCTAssertGreaterThanOrEqual(elapsed, .milliseconds(150), "503 expected only after waiting timeouts.queue")
        XCTAssertLessThan(elapsed, .seconds(1))
        XCTAssertEqual(try busy.readResponse(timeout: .seconds(5)).status, 200)
        XCTAssertEqual(try backend.proxiedRequests().map(\.path), ["/slow-head?delay_ms=2000"])
    }
}
