import XCTest

/// Holdfast alone answers CORS (docs/security.md): preflights, relayed answers, its own errors, per route.
final class CORSTests: ScenarioTestCase {
    private func startCORSProxy(_ configure: (inout ScenarioConfig) -> Void = { _ in }) throws -> Holdfast {
        try startProxy {
            $0.cors = CORSFixture.settings
            configure(&$0)
        }
    }

    private func preflight(_ proxy: Holdfast, origin: String) throws -> HTTPResponse {
        let client = try proxy.client()
        try client.sendRequest("OPTIONS", "/echo", headers: [("Origin", origin), ("Access-Control-Request-Method", "PUT"),
                                                             ("Access-Control-Request-Headers", "content-type")])
        return try client.readResponse()
    }

    func testAllowedPreflightIsAnsweredAndNeverForwarded() throws {
        let proxy = try startCORSProxy()

        let response = try preflight(proxy, origin: CORSFixture.app)

        XCTAssertEqual(response.status, 204)
        XCTAssertEqual(response.header("Access-Control-Allow-Origin"), CORSFixture.app)
        XCTAssertEqual(response.header("Vary"), "Origin")
        XCTAssertEqual(response.header("Access-Control-Allow-Methods"), "PUT")
        XCTAssertEqual(response.header("Access-Control-Allow-Headers"), "Authorization, Content-Type, Last-Event-ID")
        XCTAssertEqual(response.header("Access-Control-Max-Age"), "600")
        XCTAssertNil(response.header("Access-Control-Allow-Credentials"))
        try assertBackendSawNoRequests()
    }

    func testPreflightFromARefusedOriginGets403WithoutAllowHeaders() throws {
        let proxy = try startCORSProxy()

        let response = try preflight(proxy, origin: "https://evil.example.com")

        XCTAssertEqual(response.status, 403)
        assertNoCORS(response.head)
        try assertBackendSawNoRequests()
    }

    func testRelayedAnswerEchoesAnAllowedOriginAndReplacesTheBackendsOwn() throws {
        let proxy = try startCORSProxy()

        let response = try proxy.client().get("/own-cors", headers: [("Origin", CORSFixture.app)])

        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.bodyText, "own cors\n")
        assertAllows(response.head)
        XCTAssertNil(response.header("Access-Control-Allow-Methods"), "the backend's own Access-Control-* expected replaced")
    }

    func testRefusedOriginAndNoOriginGetNoCORSHeaders() throws {
        let proxy = try startCORSProxy()

        for headers in [[("Origin", "https://evil.example.com")], []] {
            let response = try proxy.client().get("/own-cors", headers: headers)
            XCTAssertEqual(response.status, 200)
            assertNoCORS(response.head)
        }
    }

    func testWildcardSubdomainsMatchButNotTheApex() throws {
        let proxy = try startCORSProxy()

        let sub = try proxy.client().get("/echo", headers: [("Origin", "https://sub.example.org")])
        let apex = try proxy.client().get("/echo", headers: [("Origin", "https://example.org")])

        assertAllows(sub.head, "https://sub.example.org")
        assertNoCORS(apex.head)
    }

    func testHoldfastsOwn404CarriesTheHeaders() throws {
        let proxy = try startCORSProxy { $0.routes = [["path_prefix": "/api/", "backends": ["app"]]] }

        let response = try proxy.client().get("/nowhere", headers: [("Origin", CORSFixture.app)])

        XCTAssertEqual(response.status, 404)
        assertAllows(response.head)
    }

    func testHoldfastsOwn503CarriesTheHeaders() throws {
        let proxy = try startCORSProxy { $0.backend.health = ["interval": "100ms", "timeout": "50ms", "fall": 1] }
        try backend.setHealthy(false)

        var response: HTTPResponse?
        try eventually("the backend is marked down and requests get 503") {
            response = try proxy.client().get("/echo", headers: [("Origin", CORSFixture.app)])
            return response?.status == 503
        }

        assertAllows(try XCTUnwrap(response).head)
    }

    func testHoldfastsOwn502And413CarryTheHeaders() throws {
        let proxy = try startCORSProxy { $0.server["max_body_bytes"] = 16 }

        let badGateway = try proxy.client().get("/malformed", headers: [("Origin", CORSFixture.app)])
        let tooLarge = try proxy.client().post("/echo", body: String(repeating: "x", count: 64), headers: [("Origin", CORSFixture.app)])

        XCTAssertEqual(badGateway.status, 502)
        assertAllows(badGateway.head)
        XCTAssertEqual(tooLarge.status, 413)
        assertAllows(tooLarge.head)
    }

    func testARouteWithCORSFalseLeavesItToTheBackend() throws {
        let proxy = try startCORSProxy { $0.routes[0]["cors"] = false }

        let response = try proxy.client().get("/own-cors", headers: [("Origin", CORSFixture.app)])
        let forwarded = try preflight(proxy, origin: CORSFixture.app)

        XCTAssertEqual(response.header("Access-Control-Allow-Origin"), "https://backend.example")
        XCTAssertEqual(forwarded.status, 200, "a preflight expected forwarded where CORS is off")
        XCTAssertEqual(try backend.proxiedRequests().map(\.method), ["GET", "OPTIONS"])
    }

    func testARouteOverrideAllowsItsOwnOrigins() throws {
        let admin = "https://admin.example.net"
        let proxy = try startCORSProxy {
            $0.routes.insert(["path_prefix": "/admin/", "backends": ["app"]], at: 0)
            $0.routeCORS[0] = ["allow_origins": [.string(admin)]]
        }

        let adminAnswer = try proxy.client().get("/admin/x", headers: [("Origin", admin)])
        let appOnAdmin = try proxy.client().get("/admin/x", headers: [("Origin", CORSFixture.app)])
        let adminElsewhere = try proxy.client().get("/x", headers: [("Origin", admin)])

        assertAllows(adminAnswer.head, admin)
        assertNoCORS(appOnAdmin.head)
        assertNoCORS(adminElsewhere.head)
    }
}
