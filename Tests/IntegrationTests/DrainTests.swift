import Glibc
import XCTest

/// SIGTERM: held long-polls get their timeout response, streams end cleanly, in-flight requests
/// finish, and the master exits 0 within shutdown_drain (docs/operations.md).
final class DrainTests: ThreeBackendTestCase {
    func testTermAnswersHeldClientsFinishesInFlightRequestsAndExitsZero() throws {
        var settings = config(workers: 2)
        settings.routes = [["path_prefix": "/", "backends": ["b1"]]]
        settings.timeouts["shutdown_drain"] = "5s"
        let proxy = try startProxy(settings)

        let polls = try openHeldClients(proxy, count: 3, target: "/hold?mode=response&channels=drain&timeout=60&body=poll%20timeout%0A")
        let streams = try openHeldClients(proxy, count: 2, target: "/hold?mode=stream&channels=drain-stream&body=stream%20start%0A")
        for stream in streams {
            XCTAssertEqual(try stream.readResponseHead().status, 200)
            XCTAssertEqual(try stream.readBodyPart().map { String(decoding: $0, as: UTF8.self) }, "stream start\n")
        }
        try eventually("3 long-polls and 2 streams held") {
            let metrics = try proxy.control.parsedMetrics()
            return metrics.value("holdfast_held_connections", ["kind": "response"]) == 3
                && metrics.value("holdfast_held_connections", ["kind": "stream"]) == 2
        }
        let slow = try proxy.client()
        try slow.sendRequest("GET", "/slow-head?delay_ms=1500")
        try eventually("b1 is working on /slow-head") { try backend("b1").log().contains { $0.path.hasPrefix("/slow-head") } }

        let termSent = ContinuousClock.now
        proxy.signal(SIGTERM)
        for poll in polls {
            let response = try poll.readResponse(timeout: .seconds(1))
            XCTAssertEqual(response.status, 200)
            XCTAssertEqual(response.bodyText, "poll timeout\n", "the backend's own timeout body expected")
        }
        XCTAssertLessThan(ContinuousClock.now - termSent, .seconds(1), "long-polls expected answered at once")
        for stream in streams {
            XCTAssertNil(try stream.readBodyPart(timeout: .seconds(1)), "the stream expected to end with the terminating chunk")
        }
        let slowResponse = try slow.readResponse(timeout: .seconds(5))
        XCTAssertEqual(slowResponse.status, 200)
        XCTAssertEqual(slowResponse.bodyText, "slow\n")
        let status = proxy.waitForExit(timeout: .seconds(5) - (ContinuousClock.now - termSent))
        XCTAssertEqual(status, 0, "the master expected to exit 0 within shutdown_drain (5 s)")
    }
}
