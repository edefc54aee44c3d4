import XCTest

/// Routes behind a `type = "request"` auth (nginx `auth_request`): backend.py's `/auth` decides
/// from the Bearer credential: `ok` admits, `forbidden` is 403, `broken` 500, `slow` answers
/// after 5 s, anything else 401 with a Basic challenge.
final class AuthRequestTests: ScenarioTestCase {
    private static let auth: [String: TOMLValue] = ["name": "gate", "type": "request", "backend": "app", "path": "/auth"]

    /// `/events/` subscribes to SSE and `/echo` is proxied, both behind the "gate" auth.
    private func startGatedProxy(_ configure: (inout ScenarioConfig) -> Void = { _ in }) throws -> Holdfast {
        try startProxy {
            $0.auths = [Self.auth]
            $0.routes.insert(["path_prefix": "/events/", "subscribe": "sse", "auth": "gate"], at: 0)
            $0.routes.insert(["path_prefix": "/echo", "backends": ["app"], "auth": "gate"], at: 1)
            configure(&$0)
        }
    }

    private func bearer(_ credential: String) -> (String, String) { ("Authorization", "Bearer \(credential)") }

    private func proxiedPaths() throws -> [String] { try backend.proxiedRequests().map(\.path) }

    func testRefusalsAreRelayedAndReachNoProtectedPath() throws {
        let proxy = try startGatedProxy()
        let anonymous = try proxy.client().get("/echo")
        XCTAssertEqual(anonymous.status, 401)
        XCTAssertEqual(anonymous.header("WWW-Authenticate"), #"Basic realm="test""#)
        XCTAssertEqual(try proxy.client().get("/echo", headers: [bearer("forbidden")]).status, 403)
        XCTAssertEqual(try proxy.client().get("/events/news", headers: [bearer("nobody")]).status, 401)
        XCTAssertEqual(try proxiedPaths(), ["/auth", "/auth", "/auth"])
    }

    func testAdmittedRequestIsProxiedAfterTheSubrequestSawTheCredentials() throws {
        let proxy = try startGatedProxy()
        let response = try proxy.client().post("/echo?x=1", body: "the body",
                                               headers: [bearer("ok"), ("Cookie", "session=abc")])
        XCTAssertEqual(response.status, 200)
        let echoed = try decode(EchoReply.self, from: response)
        XCTAssertEqual(echoed.method, "POST")
        XCTAssertEqual(echoed.body, "the body")

        let log = try backend.proxiedRequests()
        XCTAssertEqual(log.map(\.path), ["/auth", "/echo?x=1"])
        let subrequest = log[0]
        XCTAssertEqual(subrequest.method, "GET")
        XCTAssertEqual(subrequest.header("Authorization"), "Bearer ok")
        XCTAssertEqual(subrequest.header("Cookie"), "session=abc")
        XCTAssertEqual(subrequest.header("X-Original-Method"), "POST")
        XCTAssertEqual(subrequest.header("X-Original-URI"), "/echo?x=1")
        XCTAssertNil(subrequest.header("Content-Length"), "the client's body is never sent to the auth backend")
    }

    func testAdmittedSSEClientIsHeldAndGetsThePublish() throws {
        let proxy = try startGatedProxy()
        let client = try proxy.client()
        try client.sendRequest("GET", "/events/news", headers: [bearer("ok")])
        XCTAssertEqual(try client.readResponseHead().status, 200)
        try proxy.control.waitUntilHeld(1)
        XCTAssertEqual(try proxy.control.publish(items: [httpStreamItem(channel: "news", content: "hello", id: "1")]), 1)
        XCTAssertEqual(try client.readStream(until: "the event") { $0.hasSuffix("\n\n") }, "id: 1\ndata: hello\n\n")
    }

    func testRefusalsAndFailuresCarryTheCORSHeaders() throws {
        let proxy = try startGatedProxy { $0.cors = CORSFixture.settings }
        let origin = ("Origin", CORSFixture.app)
        assertAllows(try proxy.client().get("/echo", headers: [origin]).head)
        assertAllows(try proxy.client().get("/echo", headers: [origin, bearer("forbidden")]).head)
        assertAllows(try proxy.client().get("/echo", headers: [origin, bearer("broken")]).head)
    }

    func testAnyOtherAnswerOrNoneInTimeIsA502() throws {
        let proxy = try startGatedProxy { $0.timeouts["upstream_response"] = "1s" }
        XCTAssertEqual(try proxy.client().get("/echo", headers: [bearer("broken")]).status, 502)
        let started = ContinuousClock.now
        XCTAssertEqual(try proxy.client().get("/echo", headers: [bearer("slow")]).status, 502)
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(4))
        XCTAssertEqual(try proxiedPaths(), ["/auth", "/auth"])
    }

    func testKeepAliveClientIsAskedAboutEveryRequest() throws {
        let proxy = try startGatedProxy()
        let client = try proxy.client()
        for credential in ["ok", "forbidden", "ok"] {
            try client.sendRequest("GET", "/echo", headers: [bearer(credential)])
            XCTAssertEqual(try client.readResponse().status, credential == "ok" ? 200 : 403)
        }
        XCTAssertEqual(try proxiedPaths(), ["/auth", "/echo", "/auth", "/auth", "/echo"])
    }
}
