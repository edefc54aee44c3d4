import Foundation
import XCTest

/// `holdfast --check-config FILE`: exit 0 for a good file, 2 with file, line and key path for a bad one.
final class CheckConfigTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = try makeTemporaryDirectory()
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: directory)
    }

    private var path: String { directory.appendingPathComponent("proxy.conf").path }

    private func checkConfig(_ text: String) throws -> (status: Int32, stderr: String) {
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

    /// `key_file` is read and parsed by the check, so a key that cannot verify its algorithm fails it.
    func testAuthKeyFileIsCheckedAgainstItsAlgorithm() throws {
        let privatePath = directory.appendingPathComponent("jwt.key").path
        let publicPath = directory.appendingPathComponent("jwt.pem").path
        try runOpenSSL(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", privatePath])
        try runOpenSSL(["pkey", "-in", privatePath, "-pubout", "-out", publicPath])
        var config = goodConfig
        config.routes[0]["auth"] = "users"
        config.auths = [["name": "users", "type": "jwt", "algorithms": ["RS256"], "key_file": .string(publicPath)]]
        let good = try checkConfig(config.render(listenPort: 8080, controlPort: 5561))
        XCTAssertEqual(good.status, 0, good.stderr)

        config.auths[0]["algorithms"] = ["ES256"]
        let bad = try checkConfig(config.render(listenPort: 8080, controlPort: 5561))
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.contains(#"auth[0] "users": key_file cannot verify ES256"#), bad.stderr)
    }

    func testWildcardOriginWithCredentialsExits2NamingTheLine() throws {
        var config = goodConfig
        config.cors = ["allow_origins": ["*"], "allow_credentials": true]
        let text = config.render(listenPort: 8080, controlPort: 5561)
        let line = text.components(separatedBy: "\n").firstIndex(of: "allow_origins = [\"*\"]")! + 1

        let result = try checkConfig(text)

        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(result.stderr, "\(path):\(line): cors.allow_origins cannot be [\"*\"] with allow_credentials = true: list the origins\n")
    }

    func testEachProblemNamesFileAndLine() throws {
        let result = try checkConfig("""
            [[backend]]
            name = "app"
            address = "127.0.0.1:9000"
            [backend.health]
            interval = "fast"

            [[route]]
            path_prefix = "/"
            backends = ["app", "app2"]
            """)
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(result.stderr, """
            \(path):5: backend[0] "app": health.interval expects a duration like "2s" (got "fast")
            \(path):9: route[0]: backends names "app2", which no [[backend]] declares, did you mean "app"?

            """)
    }
}
