import XCTest

/// A scenario with three fake backends "b1", "b2", "b3" (each a real process that can be crashed
/// and restarted on its port) and a holdfast started by the test.
class ThreeBackendTestCase: XCTestCase {
    static let names = ["b1", "b2", "b3"]

    private(set) var backends: [FakeBackend] = []
    private(set) var proxy: Holdfast?

    override func setUpWithError() throws {
        backends = try Self.names.map { try FakeBackend(name: $0) }
    }

    override func tearDown() {
        if let proxy, testRun?.hasSucceeded == false {
            print("--- holdfast stderr (\(name)) ---\n\(proxy.stderrText.suffix(6000))")
        }
        proxy?.stop()
        proxy = nil
        for backend in backends { backend.stop() }
        backends = []
    }

    func backend(_ name: String) -> FakeBackend { backends[Self.names.firstIndex(of: name)!] }

    /// Health checks fast enough to see a backend fall (2 × 200 ms) and rise again within a test.
    static let fastHealth = (interval: "200ms", timeout: "200ms")

    /// The three backends, health checked with rise 2 and fall 2, behind one catch-all route choosing
    /// among all three by `sticky`. Checks are slow unless asked: on a loaded machine a fast check can
    /// time out against a healthy backend and move keys that a test expects to stay.
    func config(sticky: String = "none", workers: Int = 2,
                health: (interval: String, timeout: String) = ("60s", "1s")) -> ScenarioConfig {
        var config = ScenarioConfig(backendPort: backends[0].port)
        config.server["workers"] = .integer(workers)
        config.backends = backends.map { backend in
            ScenarioConfig.Backend(name: backend.name, port: backend.port,
                                   health: ["interval": .string(health.interval), "timeout": .string(health.timeout), "rise": 2, "fall": 2])
        }
        config.routes = [["path_prefix": "/", "backends": .array(Self.names.map { .string($0) }), "sticky": .string(sticky)]]
        return config
    }

    @discardableResult
    func startProxy(_ config: ScenarioConfig) throws -> Holdfast {
        let started = try Holdfast(config)
        proxy = started
        return started
    }

    /// Kills backend `name` with SIGKILL.
    func crash(_ name: String) { backend(name).crash() }

    /// Starts backend `name` again on the port the proxy knows.
    func restart(_ name: String) throws {
        let index = Self.names.firstIndex(of: name)!
        backends[index] = try FakeBackend(name: name, port: backends[index].port)
    }

    /// The name of the backend that answers `GET target` through the proxy on a new connection.
    func servingBackend(_ target: String = "/", headers: [(String, String)] = [], timeout: Duration = .seconds(5)) throws -> String {
        let response = try proxy!.client().get(target, headers: headers, timeout: timeout)
        guard response.status == 200 else {
            throw HarnessError("GET \(target) \(headers) expected 200 from a backend, got \(response.status): \(response.bodyText.prefix(200))")
        }
        return response.bodyText
    }

    /// Whether /status reports backend `name` with `"up": up`.
    func statusShows(_ name: String, up: Bool) throws -> Bool {
        let backends = try proxy!.control.status()["backends"] as? [[String: Any]] ?? []
        return backends.contains { $0["name"] as? String == name && $0["up"] as? Bool == up }
    }
}
