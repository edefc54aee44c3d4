import Crypto
import Glibc
import XCTest

/// An ES256 `key_file` list rotated by SIGHUP without a moment in which valid tokens fail
/// (docs/security.md, Rotating keys).
final class KeyRotationTests: ScenarioTestCase {
    private let oldKey = P256.Signing.PrivateKey()
    private let newKey = P256.Signing.PrivateKey()

    private func writePublicKey(_ key: P256.Signing.PrivateKey, named name: String, in directory: URL) throws -> String {
        let path = directory.appendingPathComponent(name).path
        try key.publicKey.pemRepresentation.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    private func status(_ proxy: Holdfast, signedWith key: P256.Signing.PrivateKey) throws -> Int {
        try proxy.client().get("/echo", headers: [("Authorization", "Bearer \(BearerTokens.es256(key: key))")]).status
    }

    func testAKeyAddedThenTheOldOneRemovedByReload() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let oldPath = try writePublicKey(oldKey, named: "old.pem", in: directory)
        let newPath = try writePublicKey(newKey, named: "new.pem", in: directory)
        func settings(_ keyFiles: [String]) -> ScenarioConfig {
            var config = ScenarioConfig(backendPort: backend.port)
            config.auths = [["name": "users", "type": "jwt", "algorithms": ["ES256"], "key_file": .array(keyFiles.map(TOMLValue.string))]]
            config.routes.insert(["path_prefix": "/echo", "backends": ["app"], "auth": "users"], at: 0)
            return config
        }
        let proxy = try startProxy { $0 = settings([oldPath]) }
        XCTAssertEqual(try status(proxy, signedWith: oldKey), 200)
        XCTAssertEqual(try status(proxy, signedWith: newKey), 401)

        func reload(_ keyFiles: [String]) throws {
            try settings(keyFiles).render(listenPort: proxy.port, controlPort: proxy.controlPort)
                .write(toFile: proxy.configPath, atomically: true, encoding: .utf8)
            proxy.signal(SIGHUP)
        }
        try reload([newPath, oldPath])
        try eventually("the new key is accepted after the reload") { try status(proxy, signedWith: newKey) == 200 }
        XCTAssertEqual(try status(proxy, signedWith: oldKey), 200, "both keys are accepted during the overlap")

        try reload([newPath])
        try eventually("the old key is refused once it is removed") { try status(proxy, signedWith: oldKey) == 401 }
        XCTAssertEqual(try status(proxy, signedWith: newKey), 200)
    }
}
