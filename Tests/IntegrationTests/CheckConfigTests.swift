import Foundation
import XCTest

/// `holdfast --check-config FILE`: exit 0 for a good file, 2 with file and key path for a bad one.
final class CheckConfigTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = try makeTemporaryDirectory()
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: directory)
    }

    private func checkConfig(_ text: String) throws -> (status: Int32, stderr: String) {
        let path = directory.appendingPathComponent("proxy.conf").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return try Holdfast.run(["--check-config", path])
    }

    private var goodConfig: ScenarioConfig { ScenarioConfig(backendPort: 9000) }

    func testGoodFileExits0() throws {
        let result = try checkConfig(goodConfig.render(listenPort: 8080, controlPort: 5561))
        XCTAssertEqual(result.status, 0, result.stderr)
    }

    func testBadDurationExits2NamingFileAndKeyPath() throws {
        var config = goodConfig
        config.timeouts["hold"] = "soon"
        let result = try checkConfig(config.render(listenPort: 8080, controlPort: 5561))
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("proxy.conf"), "stderr expected to name the file, got \(result.stderr)")
        XCTAssertTrue(result.stderr.contains("timeouts.hold"), "stderr expected to name the key path, got \(result.stderr)")
    }

    func testUnknownKeyExits2NamingIt() throws {
        var config = goodConfig
        config.server["listn"] = "typo"
        let result = try checkConfig(config.render(listenPort: 8080, controlPort: 5561))
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("server.listn"), "stderr expected to name the unknown key, got \(result.stderr)")
    }
}
