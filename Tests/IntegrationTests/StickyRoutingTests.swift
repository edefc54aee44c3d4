import XCTest

/// Sticky routing (docs/architecture.md): one key always reaches one backend, over new connections and
/// across workers, and the keys spread over every backend.
final class StickyRoutingTests: ThreeBackendTestCase {
    func testCookieKeyAlwaysReachesTheSameBackend() throws {
        try assertSticky("cookie:sid") { key in ("/", [("Cookie", "theme=dark; sid=\(key)")]) }
    }

    func testHeaderKeyAlwaysReachesTheSameBackend() throws {
        try assertSticky("header:X-User") { key in ("/", [("X-User", key)]) }
    }

    func testQueryKeyAlwaysReachesTheSameBackend() throws {
        try assertSticky("query:user") { key in ("/?page=2&user=\(key)", []) }
    }

    /// docs/architecture.md: a header dropped for its "_" cannot choose a backend; kept by the switch, it is a key like any other.
    func testAHeaderNameWithAnUnderscoreIsAKeyOnlyWhenAllowed() throws {
        let dropping = try startProxy(config(sticky: "header:X_User", workers: 1))
        let unkeyed = Set(try (0..<6).map { _ in try servingBackend(headers: [("X_User", "alice")]) })
        XCTAssertGreaterThan(unkeyed.count, 1, "without its header a request expected to go to the least loaded backend, in turn")
        dropping.stop()

        var allowing = config(sticky: "header:X_User", workers: 1)
        allowing.server["allow_underscores_in_headers"] = true
        try startProxy(allowing)
        let keyed = Set(try (0..<6).map { _ in try servingBackend(headers: [("X_User", "alice")]) })
        XCTAssertEqual(keyed.count, 1, "one key expected to reach one backend, got \(keyed.sorted())")
    }

    /// 60 keys, each sent 3 times on new connections to a 2-worker proxy.
    private func assertSticky(_ rule: String, request: (String) -> (target: String, headers: [(String, String)]),
                              file: StaticString = #filePath, line: UInt = #line) throws {
        let proxy = try startProxy(config(sticky: rule, workers: 2))
        try eventually("both workers run") { proxy.workerPIDs().count == 2 }
        var chosen: [String: String] = [:]
        for round in 0..<3 {
            for index in 0..<60 {
                let key = "user-\(index)"
                let (target, headers) = request(key)
                let name = try servingBackend(target, headers: headers)
                if let first = chosen[key] {
                    XCTAssertEqual(name, first, "\(rule) key \(key) expected to stay on \(first), round \(round) reached \(name)",
                                   file: file, line: line)
                } else {
                    chosen[key] = name
                }
            }
        }
        XCTAssertEqual(Set(chosen.values), Set(Self.names), "\(rule): 60 keys expected to reach every backend, got \(histogram(chosen))",
                       file: file, line: line)
    }
}

/// How many keys each backend got, for failure messages.
func histogram(_ chosen: [String: String]) -> [String: Int] {
    chosen.values.reduce(into: [:]) { counts, name in counts[name, default: 0] += 1 }
}
