import Auth
import XCTest
@testable import Config

final class AuthConfigTests: XCTestCase {
    /// `validBase` with its route behind the "users" auth (the route is its last table).
    private let routeWithAuth = validBase + "auth = \"users\"\n"

    func testHMACAuthParsesWithDefaults() throws {
        let parsed = config(of: routeWithAuth + """
            [[auth]]
            name = "users"
            type = "jwt"
            algorithms = ["HS256", "HS512"]
            key = "s3cret"
            audience = "holdfast"
            leeway = "0s"
            """)
        XCTAssertEqual(parsed?.routes.first?.auth, 0)
        XCTAssertEqual(parsed?.auths, [AuthConfig(name: "users", method: .jwt(
            tokenFrom: [.header("authorization"), .query("access_token"), .cookie("hf_token")],
            policy: JWTPolicy(algorithms: [.hs256, .hs512], keys: [.secret("s3cret")], issuer: nil, audience: "holdfast",
                              channelsClaim: "channels", leewaySeconds: 0)))])
    }

    func testUnknownAuthNameNamesTheRouteLine() {
        XCTAssertEqual(problems(of: routeWithAuth + """
            [[auth]]
            name = "user"
            type = "jwt"
            algorithms = ["HS256"]
            key = "s3cret"
            """), [#"proxy.conf:8: route[0]: auth names "users", which no [[auth]] declares, did you mean "user"?"#])
    }

    func testAListOfSecretsIsAcceptedForRotation() {
        let parsed = config(of: routeWithAuth + """
            [[auth]]
            name = "users"
            type = "jwt"
            algorithms = ["HS256"]
            key = ["new-secret", "old-secret"]
            """)
        XCTAssertEqual(parsed.map { $0.auths.map(\.method) }, [.jwt(
            tokenFrom: [.header("authorization"), .query("access_token"), .cookie("hf_token")],
            policy: JWTPolicy(algorithms: [.hs256], keys: [.secret("new-secret"), .secret("old-secret")], issuer: nil,
                              audience: nil, channelsClaim: "channels", leewaySeconds: 30))])
        XCTAssertEqual(problems(of: routeWithAuth + """
            [[auth]]
            name = "users"
            type = "jwt"
            algorithms = ["HS256"]
            key = []
            """), [#"proxy.conf:13: auth[0] "users": key expects a non-empty string or a non-empty list of them (got [])"#])
    }

    func testRequestTypeNamesABackendAndAPath() {
        let parsed = config(of: routeWithAuth + """
            [[auth]]
            name = "users"
            type = "request"
            backend = "app"
            path = "/auth?scope=stream"
            """)
        XCTAssertEqual(parsed?.auths, [AuthConfig(name: "users", method: .request(backend: 0, path: "/auth?scope=stream"))])
    }

    func testRequestTypeNeedsBackendAndPathAndRefusesJWTKeys() {
        XCTAssertEqual(problems(of: routeWithAuth + """
            [[auth]]
            name = "users"
            type = "request"
            key = "s3cret"
            """), [#"proxy.conf:12: auth[0] "users": key does not apply to type = "request""#,
                   #"proxy.conf:11: auth[0] "users": backend is required for type = "request""#,
                   #"proxy.conf:11: auth[0] "users": path is required for type = "request""#])
    }

    func testRequestTypeBackendMustExist() {
        XCTAssertEqual(problems(of: routeWithAuth + """
            [[auth]]
            name = "users"
            type = "request"
            backend = "ap"
            path = "/auth"
            """), [#"proxy.conf:12: auth[0] "users": backend names "ap", which no [[backend]] declares, did you mean "app"?"#])
    }

    func testJWTTypeRefusesRequestKeysAndNeedsAlgorithms() {
        XCTAssertEqual(problems(of: routeWithAuth + """
            [[auth]]
            name = "users"
            type = "jwt"
            key = "s3cret"
            path = "/auth"
            """), [#"proxy.conf:13: auth[0] "users": path does not apply to type = "jwt""#,
                   #"proxy.conf:11: auth[0] "users": algorithms is required for type = "jwt""#])
    }

    func testKeysMustSuitTheAlgorithms() throws {
        let pemPath = NSTemporaryDirectory() + "holdfast-auth-test-\(getpid()).pem"
        try "not a key\n".write(toFile: pemPath, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: pemPath) }
        XCTAssertEqual(problems(of: routeWithAuth + """
            [[auth]]
            name = "users"
            type = "jwt"
            algorithms = ["RS256"]
            key = "s3cret"
            """), [#"proxy.conf:13: auth[0] "users": key cannot verify RS256: RS256 needs a public key in key_file, not a key"#])
        XCTAssertEqual(problems(of: routeWithAuth + """
            [[auth]]
            name = "users"
            type = "jwt"
            algorithms = ["RS256"]
            key_file = "\(pemPath)"
            """), [#"proxy.conf:13: auth[0] "users": key_file cannot verify RS256: RS256 needs an RSA public key of at least 2048 bits in PEM ("BEGIN PUBLIC KEY")"#])
        XCTAssertEqual(problems(of: routeWithAuth + """
            [[auth]]
            name = "users"
            type = "jwt"
            algorithms = ["none"]
            key = "a"
            key_file = "\(pemPath)"
            token_from = ["ip"]
            """), [
                #"proxy.conf:12: auth[0] "users": algorithms expects a non-empty list of "HS256", "HS384", "HS512", "RS256", "ES256" (got ["none"])"#,
                #"proxy.conf:15: auth[0] "users": token_from expects a non-empty list of "header:NAME", "query:NAME", "cookie:NAME" (got ["ip"])"#,
                #"proxy.conf:14: auth[0] "users": key_file cannot be set together with key: key is an HMAC secret, key_file a public key"#,
            ])
    }

    func testDuplicateAuthNames() {
        let entry = "[[auth]]\nname = \"users\"\ntype = \"jwt\"\nalgorithms = [\"HS256\"]\nkey = \"k\"\n"
        XCTAssertEqual(problems(of: routeWithAuth + entry + entry),
                       [#"proxy.conf:15: auth[1] "users": name is already the name of auth[0]"#])
    }
}
