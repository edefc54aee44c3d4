import XCTest

/// Routes match by host and path prefix; a request no route matches gets 404.
final class RoutingTests: ScenarioTestCase {
    func testRequestMatchingNoRouteGets404AndNeverReachesTheBackend() throws {
        let proxy = try startProxy { config in
            config.routes = [["host": "example.org", "path_prefix": "/", "backends": ["app"]]]
        }
        let client = try proxy.client()
        XCTAssertEqual(try client.get("/", headers: [("Host", "other.test")]).status, 404)
        try assertBackendSawNoRequests()
        let matched = try proxy.client().get("/", headers: [("Host", "example.org")])
        XCTAssertEqual(matched.status, 200)
        XCTAssertEqual(matched.bodyText, "app")
    }
}
