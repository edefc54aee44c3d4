import Auth
import Config
import HTTP1
import XCTest
@testable import Proxy

/// Where a token is found: the first source of `token_from` that has one.
final class TokenAuthenticatorTests: XCTestCase {
    private let authenticator = TokenAuthenticator(
        name: "users", tokenFrom: [.header("authorization"), .query("access_token"), .cookie("hf_token")],
        policy: JWTPolicy(algorithms: [.hs256], keys: [.secret("k")], issuer: nil, audience: nil, channelsClaim: "channels",
                          leewaySeconds: 0))

    private func head(_ target: String, _ headers: [(String, String)]) -> RequestHead {
        RequestHead(method: "GET", target: target, version: .http11, headers: HTTPHeaders(headers), framing: .none, keepAlive: true)
    }

    func testTokenSources() {
        let rows: [(String, String, [(String, String)], String?)] = [
            ("bearer header", "/", [("Authorization", "Bearer abc")], "abc"),
            ("scheme in any case", "/", [("Authorization", "bearer  abc ")], "abc"),
            ("header before query", "/?access_token=q", [("Authorization", "Bearer h")], "h"),
            ("Basic is no token: query next", "/?access_token=q", [("Authorization", "Basic dXNlcg==")], "q"),
            ("query, decoded", "/?a=1&access_token=x%2Ey", [], "x.y"),
            ("empty query value: cookie next", "/?access_token=", [("Cookie", "hf_token=c")], "c"),
            ("cookie among others", "/", [("Cookie", "a=1; hf_token=c; b=2")], "c"),
            ("none", "/", [("Cookie", "other=1")], nil),
        ]
        for (name, target, headers, expected) in rows {
            XCTAssertEqual(authenticator.token(in: head(target, headers)), expected, name)
        }
    }

    func testOtherHeadersGiveTheirWholeValue() {
        let custom = TokenAuthenticator(
            name: "x", tokenFrom: [.header("x-token")],
            policy: JWTPolicy(algorithms: [.hs256], keys: [.secret("k")], issuer: nil, audience: nil, channelsClaim: "c", leewaySeconds: 0))
        XCTAssertEqual(custom.token(in: head("/", [("X-Token", " raw ")])), "raw")
        XCTAssertEqual(custom.token(in: head("/", [("X-Token", "Bearer t")])), "t")
    }
}
