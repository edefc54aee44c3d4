import Config
import HTTP1
import XCTest
@testable import Proxy

/// The CORS decision alone: request heads in, verdicts out (docs/security.md).
final class CORSPolicyTests: XCTestCase {
    private func policy(_ origins: [String], credentials: Bool = false, expose: [String] = []) -> CORSPolicy {
        CORSPolicy(CORSConfig(allowOrigins: origins, allowCredentials: credentials, allowHeaders: ["Authorization", "Content-Type"],
                              exposeHeaders: expose, maxAge: .seconds(600)))
    }

    private func verdict(_ policy: CORSPolicy, method: String = "GET", _ headers: [(String, String)]) -> CORSVerdict {
        policy.verdict(method: method, headers: HTTPHeaders(headers))
    }

    private func fields(_ pairs: [(String, String)]) -> CORSHeaders {
        CORSHeaders(fields: pairs.map { CORSHeaders.Field(name: $0.0, value: $0.1) })
    }

    func testOriginMatching() {
        let listed = policy(["https://app.example.com", "https://*.example.org", "http://*.dev.test:8080"])
        let table: [(origin: String, allowed: Bool)] = [
            ("https://app.example.com", true),
            ("HTTPS://App.Example.com", true),
            ("http://app.example.com", false),
            ("https://app.example.com:8443", false),
            ("https://evil-app.example.com", false),
            ("https://sub.example.org", true),
            ("https://a.b.example.org", true),
            ("https://example.org", false),
            ("https://notexample.org", false),
            ("http://sub.example.org", false),
            ("https://sub.example.org:443", false),
            ("https://sub.example.org.evil.com", false),
            ("http://x.dev.test:8080", true),
            ("http://x.dev.test", false),
            ("http://x.dev.test:8081", false),
            ("null", false),
        ]
        for (origin, allowed) in table {
            let expected: CORSVerdict = allowed
                ? .answer(fields([("Access-Control-Allow-Origin", origin), ("Vary", "Origin")])) : .answer(.empty)
            XCTAssertEqual(verdict(listed, [("Origin", origin)]), expected, origin)
        }
    }

    func testAnswers() {
        let origin = ("Origin", "https://app.example.com")
        let table: [(policy: CORSPolicy, headers: [(String, String)], expected: CORSVerdict)] = [
            (policy(["https://app.example.com"]), [], .answer(.empty)),
            (policy(["https://app.example.com"]), [origin, origin], .answer(.empty)),
            (policy(["*"]), [origin], .answer(fields([("Access-Control-Allow-Origin", "*")]))),
            (policy(["https://app.example.com"], credentials: true, expose: ["X-Id", "X-Trace"]), [origin],
             .answer(fields([("Access-Control-Allow-Origin", "https://app.example.com"), ("Vary", "Origin"),
                             ("Access-Control-Allow-Credentials", "true"), ("Access-Control-Expose-Headers", "X-Id, X-Trace")]))),
        ]
        for (index, row) in table.enumerated() {
            XCTAssertEqual(verdict(row.policy, row.headers), row.expected, "row \(index)")
        }
    }

    func testPreflights() {
        let origin = ("Origin", "https://app.example.com")
        let asks = ("Access-Control-Request-Method", "PUT")
        let allowed = fields([("Access-Control-Allow-Origin", "https://app.example.com"), ("Vary", "Origin"),
                              ("Access-Control-Allow-Methods", "PUT"), ("Access-Control-Allow-Headers", "Authorization, Content-Type"),
                              ("Access-Control-Max-Age", "600")])
        let table: [(policy: CORSPolicy, method: String, headers: [(String, String)], expected: CORSVerdict)] = [
            (policy(["https://app.example.com"]), "OPTIONS", [origin, asks], .preflightAllowed(allowed)),
            (policy(["https://other.example.com"]), "OPTIONS", [origin, asks], .preflightRefused),
            (policy(["https://app.example.com"]), "OPTIONS", [origin, ("Access-Control-Request-Method", "P T")], .preflightRefused),
            // Not preflights: an OPTIONS without the request method, or another method with it.
            (policy(["https://app.example.com"]), "OPTIONS", [origin],
             .answer(fields([("Access-Control-Allow-Origin", "https://app.example.com"), ("Vary", "Origin")]))),
            (policy(["https://app.example.com"]), "GET", [origin, asks],
             .answer(fields([("Access-Control-Allow-Origin", "https://app.example.com"), ("Vary", "Origin")]))),
            (policy(["https://app.example.com"]), "OPTIONS", [asks], .answer(.empty)),
        ]
        for (index, row) in table.enumerated() {
            XCTAssertEqual(verdict(row.policy, method: row.method, row.headers), row.expected, "row \(index)")
        }
    }

    func testAppliedHeadersReplaceTheBackendsOwn() {
        var headers = HTTPHeaders([("Access-Control-Allow-Origin", "*"), ("access-control-allow-credentials", "true"),
                                   ("Content-Type", "text/plain")])
        fields([("Access-Control-Allow-Origin", "https://app.example.com"), ("Vary", "Origin")]).apply(to: &headers)
        XCTAssertEqual(headers.fields.map { "\($0.name): \($0.value)" },
                       ["Content-Type: text/plain", "Access-Control-Allow-Origin: https://app.example.com", "Vary: Origin"])
        CORSHeaders.empty.apply(to: &headers)
        XCTAssertEqual(headers.fields.map(\.name), ["Content-Type", "Vary"])
    }
}
