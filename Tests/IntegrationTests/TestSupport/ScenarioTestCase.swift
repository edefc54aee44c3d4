import XCTest

/// A scenario against the real binary: a fake backend named "app" (started for every test)
/// and a holdfast started by the test with its own inline configuration.
/// Run with `swift build --product holdfast && swift test --filter IntegrationTests`
/// (or point `HOLDFAST_BINARY` at a binary); `HarnessTests` need no binary.
class ScenarioTestCase: XCTestCase {
    private(set) var backend: FakeBackend!
    private(set) var proxy: Holdfast?

    override func setUpWithError() throws {
        backend = try FakeBackend(name: "app")
    }

    /// `testRun` is not final during tearDown, so failures are noted as they are recorded.
    private var hasFailed = false

    override func recordFailure(withDescription description: String, inFile filePath: String, atLine lineNumber: Int, expected: Bool) {
        hasFailed = true
        super.recordFailure(withDescription: description, inFile: filePath, atLine: lineNumber, expected: expected)
    }

    override func tearDown() {
        if let proxy, hasFailed {
            print("--- holdfast stderr (\(name)) ---\n\(proxy.stderrText.suffix(6000))")
        }
        proxy?.stop()
        proxy = nil
        backend?.stop()
        backend = nil
    }

    /// Starts holdfast with one worker, the backend behind a catch-all route, and `configure`'s changes.
    @discardableResult
    func startProxy(openFileLimit: Int? = nil, _ configure: (inout ScenarioConfig) -> Void = { _ in }) throws -> Holdfast {
        var config = ScenarioConfig(backendPort: backend.port)
        configure(&config)
        let started = try Holdfast(config, openFileLimit: openFileLimit)
        proxy = started
        return started
    }

    /// Fails unless the backend received nothing but health checks.
    func assertBackendSawNoRequests(file: StaticString = #filePath, line: UInt = #line) throws {
        let seen = try backend.proxiedRequests()
        XCTAssertTrue(seen.isEmpty, "backend expected to receive no request, got \(seen.map { "\($0.method) \($0.path)" })",
                      file: file, line: line)
    }
}
