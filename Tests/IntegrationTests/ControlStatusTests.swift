import XCTest

/// GET /status (docs/operations.md): exactly the documented fields, with values that match the proxy.
final class ControlStatusTests: ThreeBackendTestCase {
    func testStatusHasExactlyTheSpecFieldsWithConsistentValues() throws {
        var settings = config(workers: 2)
        for index in settings.backends.indices { settings.backends[index].settings["max_connections"] = 4 }
        let proxy = try startProxy(settings)
        let held = try openHeldClients(proxy, count: 3, target: "/hold?mode=response&channels=status-test")
        try eventually("the 3 long-polls are held") {
            try (proxy.control.status()["connections"] as? [String: Any])?["held"] as? Int == 3
        }

        let status = try proxy.control.status()
        XCTAssertEqual(Set(status.keys), ["version", "uptime_seconds", "workers", "connections", "backends", "channels", "subscribers"])
        XCTAssertFalse((status["version"] as? String ?? "").isEmpty, "version expected a non-empty string, got \(status["version"] ?? "nil")")
        let uptime = try XCTUnwrap(status["uptime_seconds"] as? Int, "uptime_seconds expected an integer")
        XCTAssertGreaterThanOrEqual(uptime, 0)
        XCTAssertLessThan(uptime, 60)
        XCTAssertEqual(status["workers"] as? Int, 2)
        let connections = try XCTUnwrap(status["connections"] as? [String: Any])
        XCTAssertEqual(Set(connections.keys), ["clients", "held"])
        XCTAssertEqual(connections["held"] as? Int, 3)
        XCTAssertGreaterThanOrEqual(connections["clients"] as? Int ?? -1, 3)
        XCTAssertEqual(status["channels"] as? Int, 1, "one channel has subscribers")
        XCTAssertEqual(status["subscribers"] as? Int, 3)

        let backends = try XCTUnwrap(status["backends"] as? [[String: Any]])
        XCTAssertEqual(backends.map { $0["name"] as? String }, Self.names)
        for backend in backends {
            XCTAssertEqual(Set(backend.keys), ["name", "up", "pool", "tunnels"])
            XCTAssertEqual(backend["up"] as? Bool, true)
            let pool = try XCTUnwrap(backend["pool"] as? [String: Any])
            XCTAssertEqual(Set(pool.keys), ["idle", "busy", "max"])
            let idle = try XCTUnwrap(pool["idle"] as? Int), busy = try XCTUnwrap(pool["busy"] as? Int)
            // The backend's whole pool: max_connections (4) in each of the 2 workers.
            XCTAssertEqual(pool["max"] as? Int, 8)
            XCTAssertLessThanOrEqual(idle + busy, 8)
        }

        XCTAssertEqual(try proxy.control.publish(channel: "status-test", body: "bye\n").status, 200)
        for client in held { XCTAssertEqual(try client.readResponse().bodyText, "bye\n") }
        try eventually("held goes back to 0 after the publish") {
            try (proxy.control.status()["connections"] as? [String: Any])?["held"] as? Int == 0
        }
    }
}
