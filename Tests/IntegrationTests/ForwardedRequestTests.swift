import XCTest

/// docs/architecture.md: what a backend receives of an absolute-form target, a request without Host and
/// header names with "_".
final class ForwardedRequestTests: ScenarioTestCase {
    func testAbsoluteFormIsRoutedByItsAuthorityAndForwardedWithItAsHostInOriginForm() throws {
        let admin = try FakeBackend(name: "admin")
        defer { admin.stop() }
        let proxy = try startProxy { config in
            config.backends.append(.init(name: "admin", port: admin.port))
            config.routes = [["host": "admin.local", "path_prefix": "/", "backends": ["admin"]],
                             ["path_prefix": "/", "backends": ["app"]]]
        }
        let client = try proxy.client()
        try client.send("GET http://admin.local/secret?k=1 HTTP/1.1\r\nHost: public.example\r\n\r\n")
        XCTAssertEqual(try client.readResponse().bodyText, "admin")
        try client.send("GET http://admin.local HTTP/1.1\r\nHost: public.example\r\n\r\n")
        XCTAssertEqual(try client.readResponse().bodyText, "admin", "the same connection expected to stay usable")

        let seen = try admin.proxiedRequests()
        XCTAssertEqual(seen.map(\.path), ["/secret?k=1", "/"])
        for request in seen {
            let hosts = request.headers.filter { $0.first?.lowercased() == "host" }.compactMap(\.last)
            XCTAssertEqual(hosts, ["admin.local"], "the authority expected to replace the client's Host")
        }
        try assertBackendSawNoRequests()
    }

    func testHTTP10RequestWithoutHostReachesTheBackendWithItsAddressAsHost() throws {
        let client = try startProxy().client()
        try client.send("GET /echo HTTP/1.0\r\n\r\n")
        let echo = try decode(EchoReply.self, from: client.readResponse())
        XCTAssertEqual(echo.values(of: "Host"), ["127.0.0.1:\(backend.port)"])
    }

    func testHeaderNamesWithUnderscoresAreDroppedByDefault() throws {
        let client = try startProxy().client()
        let echo = try decode(EchoReply.self, from: client.get("/echo", headers: [
            ("Transfer_Encoding", "chunked"), ("X_Foo", "smuggled"), ("X-Foo", "dashed"),
        ]))
        XCTAssertEqual(echo.values(of: "X-Foo"), ["dashed"])
        XCTAssertEqual(echo.headers.map { $0.first ?? "" }.filter { $0.contains("_") }, [])
    }

    func testHeaderNamesWithUnderscoresAreKeptWhenAllowed() throws {
        let client = try startProxy { $0.server["allow_underscores_in_headers"] = true }.client()
        let echo = try decode(EchoReply.self, from: client.get("/echo", headers: [("Transfer_Encoding", "chunked"), ("X_Foo", "1")]))
        XCTAssertEqual(echo.values(of: "Transfer_Encoding"), ["chunked"])
        XCTAssertEqual(echo.values(of: "X_Foo"), ["1"])
    }
}
