import Config
import XCTest
@testable import Proxy

final class RoutingTests: XCTestCase {
    private func route(_ host: HostPattern?, _ pathPrefix: String) -> RouteConfig {
        RouteConfig(host: host, pathPrefix: pathPrefix, backends: [0], sticky: .none, subscribe: nil)
    }

    func testExactHostIgnoresCasePortAndTrailingDot() {
        let table = RouteTable(routes: [route(.exact("example.org"), "/")])
        for host in ["example.org", "Example.ORG", "example.org:8080", "example.org.", " example.org "] {
            XCTAssertEqual(table.match(host: host, path: "/"), 0, "host \(host)")
        }
        for host in ["www.example.org", "example.com", "example.org.evil", ""] {
            XCTAssertNil(table.match(host: host, path: "/"), "host \(host)")
        }
        XCTAssertNil(table.match(host: nil, path: "/"))
    }

    func testWildcardMatchesSubdomainsButNotTheApex() {
        let table = RouteTable(routes: [route(.subdomains(of: "example.org"), "/")])
        for host in ["a.example.org", "a.b.example.org", "API.Example.Org:443"] {
            XCTAssertEqual(table.match(host: host, path: "/"), 0, "host \(host)")
        }
        for host in ["example.org", ".example.org", "badexample.org", "example.org.com"] {
            XCTAssertNil(table.match(host: host, path: "/"), "host \(host)")
        }
    }

    func testIPv6LiteralHosts() {
        let table = RouteTable(routes: [route(.exact("::1"), "/a"), route(.exact("[fe80::1]"), "/b")])
        XCTAssertEqual(table.match(host: "[::1]:8080", path: "/a"), 0)
        XCTAssertEqual(table.match(host: "[::1]", path: "/a"), 0)
        XCTAssertEqual(table.match(host: "[FE80::1]:80", path: "/b"), 1)
        XCTAssertNil(table.match(host: "[::1", path: "/a"))
        XCTAssertNil(table.match(host: "[::2]:8080", path: "/a"))
    }

    func testRouteWithoutHostMatchesAnyHostOrNone() {
        let table = RouteTable(routes: [route(nil, "/")])
        XCTAssertEqual(table.match(host: "anything.test", path: "/x"), 0)
        XCTAssertEqual(table.match(host: nil, path: "/x"), 0)
    }

    func testPathPrefixIsAPlainCaseSensitivePrefix() {
        let table = RouteTable(routes: [route(nil, "/api/"), route(nil, "/static")])
        XCTAssertEqual(table.match(host: nil, path: "/api/"), 0)
        XCTAssertEqual(table.match(host: nil, path: "/api/users/1"), 0)
        XCTAssertEqual(table.match(host: nil, path: "/static.css"), 1)
        XCTAssertNil(table.match(host: nil, path: "/api"))
        XCTAssertNil(table.match(host: nil, path: "/API/users"))
        XCTAssertNil(table.match(host: nil, path: "/"))
    }

    func testFirstMatchInFileOrderWins() {
        let table = RouteTable(routes: [
            route(.exact("a.example.org"), "/events/"),
            route(.subdomains(of: "example.org"), "/"),
            route(nil, "/events/"),
            route(nil, "/"),
        ])
        XCTAssertEqual(table.match(host: "a.example.org", path: "/events/news"), 0)
        XCTAssertEqual(table.match(host: "a.example.org", path: "/other"), 1)
        XCTAssertEqual(table.match(host: "b.example.org", path: "/events/news"), 1)
        XCTAssertEqual(table.match(host: "example.org", path: "/events/news"), 2)
        XCTAssertEqual(table.match(host: nil, path: "/other"), 3)
    }

    func testNoMatchIsNil() {
        XCTAssertNil(RouteTable(routes: [route(.exact("example.org"), "/api/")]).match(host: "example.org", path: "/web"))
        XCTAssertNil(RouteTable(routes: []).match(host: "example.org", path: "/"))
    }
}
