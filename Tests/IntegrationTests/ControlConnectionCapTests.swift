import XCTest

/// The control listener's connection cap (docs/operations.md, issue #8: 20,500 idle control connections used
/// up the master's descriptors, its health checks failed with EMFILE and clients got 503s).
final class ControlConnectionCapTests: ScenarioTestCase {
    private static let fastHealth: [String: TOMLValue] = ["interval": "200ms", "timeout": "150ms"]

    func testConnectionsOverTheCapWaitUntilOthersLeaveWhileTheDataPlaneAndHealthChecksGoOn() throws {
        let proxy = try startProxy { config in
            config.control["max_connections"] = 4
            config.backend.health = Self.fastHealth
        }
        // Opened before the cap is reached, to watch from.
        let observer = try HTTPClient(port: proxy.controlPort)
        XCTAssertEqual(try observer.get("/healthz").status, 200)
        var holders = try (0..<3).map { _ in try HTTPClient(port: proxy.controlPort) }
        for holder in holders { XCTAssertEqual(try holder.get("/healthz").status, 200) }

        let waiting = try (0..<2).map { _ in try HTTPClient(port: proxy.controlPort) }
        for client in waiting { try client.sendRequest("GET", "/healthz") }
        let checksBefore = try backend.log().count { $0.path == "/health" }
        XCTAssertEqual(waiting[0].unreadByteCount(waiting: .milliseconds(800)), 0, "a connection over the cap expected not to be served")

        XCTAssertEqual(try proxy.client().get("/echo").status, 200, "the data plane expected to keep answering")
        let checksAfter = try backend.log().count { $0.path == "/health" }
        XCTAssertGreaterThan(checksAfter, checksBefore, "health checks expected to go on at the cap")
        let metrics = try PrometheusText(parsing: observer.get("/metrics").bodyText)
        XCTAssertEqual(metrics.value("holdfast_backend_up", ["backend": "app"]), 1)
        XCTAssertEqual(metrics.value("holdfast_control_connections_max", [:]), 4, "the cap expected in /metrics")
        XCTAssertEqual(metrics.value("holdfast_control_connections", [:]), 4, "a full control listener expected to show open == max")

        holders.removeAll()
        for client in waiting {
            XCTAssertEqual(try client.readResponse(timeout: .seconds(3)).status, 200, "a waiting connection expected served once others left")
        }
    }

    func testControlConnectionsCannotTakeTheDescriptorsHealthChecksNeed() throws {
        let proxy = try startProxy(openFileLimit: 256) { config in
            config.control["max_connections"] = 1000
            config.timeouts["client_header"] = "30s"
            config.backend.health = Self.fastHealth
        }
        let flood = try (0..<300).map { _ in try HTTPClient(port: proxy.controlPort) }
        // Long enough for several health checks and for the master to accept all it will.
        usleep(1_500_000)
        XCTAssertEqual(try proxy.client().get("/echo").status, 200, "the data plane expected to keep its backend")
        let log = proxy.stderrText
        XCTAssertFalse(log.contains("Too many open files"), "the master expected never to run out of descriptors:\n\(log.suffix(2000))")
        XCTAssertFalse(log.contains("backend app is down"), "health checks expected to keep passing:\n\(log.suffix(2000))")
        withExtendedLifetime(flood) {}
    }
}
