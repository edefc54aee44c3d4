import XCTest

/// A backend that cannot be reached or answers badly or too late: 502 and 504.
final class UpstreamFailureTests: ScenarioTestCase {
    func testRefusedUpstreamConnectionGives502() throws {
        let closedPort = try freePort()
        let proxy = try startProxy { config in
            config.backend.port = closedPort
            config.backend.health["interval"] = "1h"  // keep health checks from marking it down first (503)
        }
        XCTAssertEqual(try proxy.client().get("/").status, 502)
    }

    func testMalformedResponseStatusLineGives502() throws {
        XCTAssertEqual(try startProxy().client().get("/malformed").status, 502)
    }

    func testOneMegabyteResponseHeadGives502() throws {
        XCTAssertEqual(try startProxy().client().get("/huge-head").status, 502)
    }

    func testResponseHeadLaterThanUpstreamResponseTimeoutGives504() throws {
        let proxy = try startProxy { config in config.timeouts["upstream_response"] = "300ms" }
        let (response, elapsed) = try timed { try proxy.client().get("/slow-head?delay_ms=2000") }
        XCTAssertEqual(response.status, 504)
        XCTAssertGreaterThanOrEqual(elapsed, .milliseconds(250))
        XCTAssertLessThan(elapsed, .seconds(1))
    }
}
