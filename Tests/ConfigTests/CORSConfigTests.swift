import XCTest
@testable import Config

/// `[cors]` and a route's override (docs/security.md). `validBase` ends with its route, so appended
/// `[route.cors]` belongs to it; appended text starts at line 8.
final class CORSConfigTests: XCTestCase {
    func testRoutesInheritTheCORSTable() throws {
        let config = try XCTUnwrap(config(of: validBase + """
            [cors]
            allow_origins = ["https://App.example.com", "https://*.example.org:8443"]
            allow_credentials = true
            expose_headers = ["X-Request-Id"]
            max_age = "1m"
            """))
        let expected = CORSConfig(allowOrigins: ["https://app.example.com", "https://*.example.org:8443"], allowCredentials: true,
                                  allowHeaders: ["Authorization", "Content-Type", "Last-Event-ID"], exposeHeaders: ["X-Request-Id"],
                                  maxAge: .seconds(60))
        XCTAssertEqual(config.cors, expected)
        XCTAssertEqual(config.routes[0].cors, expected)
    }

    func testNoOriginsMeansCORSIsOff() throws {
        XCTAssertNil(try XCTUnwrap(config(of: validBase)).routes[0].cors)
    }

    func testARouteTableOverridesOnlyTheKeysItWrites() throws {
        let config = try XCTUnwrap(config(of: validBase + """
            [route.cors]
            allow_origins = ["http://localhost:3000"]
            [cors]
            allow_origins = ["https://app.example.com"]
            max_age = "30s"
            """))
        XCTAssertEqual(config.routes[0].cors?.allowOrigins, ["http://localhost:3000"])
        XCTAssertEqual(config.routes[0].cors?.maxAge, .seconds(30))
        XCTAssertEqual(config.cors.allowOrigins, ["https://app.example.com"])
    }

    func testCORSFalseTurnsItOffForOneRoute() throws {
        let config = try XCTUnwrap(config(of: validBase.replacingOccurrences(of: "backends = [\"app\"]", with: "backends = [\"app\"]\ncors = false")
                                          + "[cors]\nallow_origins = [\"*\"]\n"))
        XCTAssertNil(config.routes[0].cors)
        XCTAssertEqual(config.cors.allowOrigins, ["*"])
    }

    func testWildcardWithCredentialsIsRefusedNamingTheLine() {
        XCTAssertEqual(problems(of: validBase + "[cors]\nallow_origins = [\"*\"]\nallow_credentials = true\n"), [
            #"proxy.conf:9: cors.allow_origins cannot be ["*"] with allow_credentials = true: list the origins"#,
        ])
        // Credentials set on a route that inherits the wildcard: the route's key is the one named.
        XCTAssertEqual(problems(of: validBase + "[route.cors]\nallow_credentials = true\n[cors]\nallow_origins = [\"*\"]\n"), [
            #"proxy.conf:9: route[0]: cors.allow_origins cannot be ["*"] with allow_credentials = true: list the origins"#,
        ])
    }

    func testBadEntriesNameTheirLine() {
        for entry in ["https://a.example.com/", "ftp://a.example.com", "https://*.", "https://*.example.org/x", "https://a.*.org",
                      "https://*.127.0.0.1", "*.example.org", "https://example.org:0"] {
            XCTAssertEqual(problems(of: validBase + "[cors]\nallow_origins = [\(quoted(entry))]\n"), [
                #"proxy.conf:9: cors.allow_origins expects a list of origins like ["https://app.example.com", "https://*.example.org"], or ["*"] (got [\#(quoted(entry))])"#,
            ], entry)
        }
        XCTAssertEqual(problems(of: validBase + "[cors]\nallow_headers = [\"Bad Header\"]\n"), [
            #"proxy.conf:9: cors.allow_headers expects a list of header names like ["Content-Type"] (got ["Bad Header"])"#,
        ])
        XCTAssertEqual(problems(of: validBase.replacingOccurrences(of: "backends = [\"app\"]", with: "backends = [\"app\"]\ncors = true")), [
            #"proxy.conf:8: route[0]: cors expects a [route.cors] table or false (got true)"#,
        ])
        XCTAssertEqual(problems(of: validBase + "[route.cors]\nallow_origin = [\"*\"]\n"), [
            #"proxy.conf:9: route[0]: unknown key cors.allow_origin (did you mean cors.allow_origins?)"#,
        ])
    }
}
