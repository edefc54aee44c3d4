import XCTest

/// Routes with `auth = "users"` (docs/security.md): nothing reaches a backend or the hub without a valid token.
final class AuthTests: ScenarioTestCase {
    /// `/events/` subscribes in `mode` and Host `private.test` is proxied, both behind the "users" auth.
    private func startAuthProxy(_ mode: String = "sse") throws -> Holdfast {
        try startProxy {
            $0.auths = [BearerTokens.auth]
            $0.routes.insert(["path_prefix": "/events/", "subscribe": .string(mode), "auth": "users"], at: 0)
            $0.routes.insert(["host": "private.test", "path_prefix": "/", "backends": ["app"], "auth": "users"], at: 1)
        }
    }

    private func assertRefused(_ proxy: Holdfast, _ target: String, headers: [(String, String)] = [], status: Int,
                               file: StaticString = #filePath, line: UInt = #line) throws {
        let response = try proxy.client().get(target, headers: headers)
        XCTAssertEqual(response.status, status, file: file, line: line)
        if status == 401 { XCTAssertEqual(response.header("WWW-Authenticate"), "Bearer", file: file, line: line) }
    }

    func testSSERouteRefusesMissingAndForeignTokensAndAdmitsAQueryToken() throws {
        let proxy = try startAuthProxy()
        try assertRefused(proxy, "/events/news", status: 401)
        try assertRefused(proxy, "/events/news?access_token=garbage", status: 401)
        try assertRefused(proxy, "/events/news?access_token=\(BearerTokens.make(channels: ["sport"]))", status: 403)
        try assertRefused(proxy, "/events/news?access_token=\(BearerTokens.make(channels: ["news"], secret: "other"))", status: 401)

        let client = try proxy.client()
        try client.sendRequest("GET", "/events/news.eu?access_token=\(BearerTokens.make(channels: ["news.*"]))")
        XCTAssertEqual(try client.readResponseHead().status, 200)
        try proxy.control.waitUntilHeld(1)
        XCTAssertEqual(try proxy.control.publish(items: [httpStreamItem(channel: "news.eu", content: "hello", id: "1")]), 1)
        XCTAssertEqual(try client.readStream(until: "the event") { $0.hasSuffix("\n\n") }, "id: 1\ndata: hello\n\n")
        try assertBackendSawNoRequests()
    }

    func testLongPollRouteChecksTheChannelAndAdmitsAHeaderToken() throws {
        let proxy = try startAuthProxy("longpoll")
        try assertRefused(proxy, "/events/poll", status: 401)
        try assertRefused(proxy, "/events/poll", headers: [("Authorization", "Bearer \(BearerTokens.make(channels: ["other"]))")],
                          status: 403)

        let client = try proxy.client()
        try client.sendRequest("GET", "/events/poll", headers: [("Authorization", "Bearer \(BearerTokens.make(channels: ["poll"]))")])
        try proxy.control.waitUntilHeld(1)
        XCTAssertEqual(try proxy.control.publishShorthand(channel: "poll", body: "the payload"), 1)
        let response = try client.readResponse()
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.bodyText, "the payload")
    }

    func testProxiedRoutePassesTheSubjectAndStripsTheClientsOwn() throws {
        let proxy = try startAuthProxy()
        let forged = ("Holdfast-Auth-Subject", "mallory")
        let host = ("Host", "private.test")
        try assertRefused(proxy, "/echo", headers: [host, forged], status: 401)
        try assertRefused(proxy, "/echo", headers: [host, ("Authorization", "Bearer \(BearerTokens.make(lifetime: -5))")], status: 401)
        try assertBackendSawNoRequests()

        let byHeader = try proxy.client().get("/echo", headers: [host, ("Authorization", "Bearer \(BearerTokens.make())"), forged])
        XCTAssertEqual(byHeader.status, 200)
        XCTAssertEqual(try decode(EchoReply.self, from: byHeader).values(of: "Holdfast-Auth-Subject"), ["alice"])

        let byCookie = try proxy.client().get("/echo", headers: [host, ("Cookie", "a=1; hf_token=\(BearerTokens.make(subject: "bob"))")])
        XCTAssertEqual(try decode(EchoReply.self, from: byCookie).values(of: "Holdfast-Auth-Subject"), ["bob"])

        // A route without auth never passes a client's claim of a subject on either.
        let open = try proxy.client().get("/echo", headers: [forged])
        XCTAssertEqual(try decode(EchoReply.self, from: open).values(of: "Holdfast-Auth-Subject"), [])
    }

    func testHeldSSEStreamEndsCleanlyWhenItsTokenExpires() throws {
        let proxy = try startAuthProxy()
        let client = try proxy.client()
        try client.sendRequest("GET", "/events/news?access_token=\(BearerTokens.make(channels: ["news"], lifetime: 2))")
        XCTAssertEqual(try client.readResponseHead().status, 200)
        try proxy.control.waitUntilHeld(1)

        let heldSince = ContinuousClock.now
        // The last chunk ends the body: readBodyPart gives nil, not a timeout error.
        var ended = false
        let deadline = ContinuousClock.now + .seconds(8)
        while !ended, ContinuousClock.now < deadline {
            ended = try client.readBodyPart(timeout: ContinuousClock.now.duration(to: deadline)) == nil
        }
        XCTAssertTrue(ended, "the stream should end once its token expires")
        XCTAssertGreaterThan(heldSince.duration(to: .now), .milliseconds(500), "ended before its token expired")
        try proxy.control.waitUntilHeld(0)
    }

    func testGripStreamOfAProxiedRouteEndsWhenItsTokenExpires() throws {
        let proxy = try startAuthProxy()
        let client = try proxy.client()
        let token = BearerTokens.make(lifetime: 2)
        try client.sendRequest("GET", holdTarget(mode: "stream", channels: "feed", [("body", "start\n")]),
                               headers: [("Host", "private.test"), ("Authorization", "Bearer \(token)")])
        XCTAssertEqual(try client.readResponseHead().status, 200)
        XCTAssertEqual(try client.readStream(until: "the initial body") { $0 == "start\n" }, "start\n")
        try proxy.control.waitUntilHeld(1)

        XCTAssertNil(try client.readBodyPart(timeout: .seconds(8)), "the terminating chunk expected once the token expires")
        try proxy.control.waitUntilHeld(0)
    }
}

/// Auth and CORS together: a preflight needs no token, and refusals are readable by an allowed page.
final class AuthWithCORSTests: ScenarioTestCase {
    func testPreflightNeedsNoTokenAndRefusalsCarryCORSHeaders() throws {
        let proxy = try startProxy {
            $0.cors = CORSFixture.settings
            $0.auths = [BearerTokens.auth]
            $0.routes.insert(["path_prefix": "/events/", "subscribe": "sse", "auth": "users"], at: 0)
        }
        let preflight = try proxy.client()
        try preflight.sendRequest("OPTIONS", "/events/news", headers: [("Origin", CORSFixture.app), ("Access-Control-Request-Method", "GET"),
                                                                      ("Access-Control-Request-Headers", "authorization")])
        let allowed = try preflight.readResponse()
        XCTAssertEqual(allowed.status, 204)
        XCTAssertEqual(allowed.header("Access-Control-Allow-Origin"), CORSFixture.app)

        let unauthorized = try proxy.client().get("/events/news", headers: [("Origin", CORSFixture.app)])
        XCTAssertEqual(unauthorized.status, 401)
        XCTAssertEqual(unauthorized.header("WWW-Authenticate"), "Bearer")
        XCTAssertEqual(unauthorized.header("Access-Control-Allow-Origin"), CORSFixture.app)
        XCTAssertEqual(unauthorized.header("Vary"), "Origin")

        let forbidden = try proxy.client().get("/events/news?access_token=\(BearerTokens.make(channels: ["sport"]))",
                                               headers: [("Origin", CORSFixture.app)])
        XCTAssertEqual(forbidden.status, 403)
        XCTAssertEqual(forbidden.header("Access-Control-Allow-Origin"), CORSFixture.app)
        try assertBackendSawNoRequests()
    }
}
