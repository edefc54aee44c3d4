import Auth
import Crypto
import XCTest
import _CryptoExtras

final class JWTVerifierTests: XCTestCase {
    /// The injected clock: every row is judged at this unix time.
    let now: Int64 = 1_800_000_000

    private func hmacPolicy(algorithms: [JWTAlgorithm] = [.hs256], issuer: String? = "https://id.example.org",
                            audience: String? = "holdfast") -> JWTPolicy {
        JWTPolicy(algorithms: algorithms, keys: [.secret("s3cret")], issuer: issuer, audience: audience,
                  channelsClaim: "channels", leewaySeconds: 30)
    }

    private func claims(exp: Int64? = nil, nbf: Int64? = nil, iss: String = "https://id.example.org",
                        aud: String = #""holdfast""#, channels: String = #"["news", "team.*"]"#) -> String {
        var members = [#""sub":"alice""#, #""iss":"\#(iss)""#, #""aud":\#(aud)"#, #""channels":\#(channels)"#]
        if let exp { members.append(#""exp":\#(exp)"#) }
        if let nbf { members.append(#""nbf":\#(nbf)"#) }
        return "{" + members.joined(separator: ",") + "}"
    }

    func testHMACTable() throws {
        let verifier = try JWTVerifier(policy: hmacPolicy())
        let valid = TestTokens.hmac(claims(exp: now + 600))
        let rows: [(String, String?, String?, AuthVerdict)] = [
            ("valid", valid, "news", .admit(subject: "alice", expiresAt: now + 630)),
            ("valid, no channel asked", valid, nil, .admit(subject: "alice", expiresAt: now + 630)),
            ("prefix match", valid, "team.red", .admit(subject: "alice", expiresAt: now + 630)),
            ("prefix is not the channel itself", valid, "team", .forbidden),
            ("channel not listed", valid, "sport", .forbidden),
            ("no channels claim", TestTokens.hmac(#"{"iss":"https://id.example.org","aud":"holdfast"}"#), "news", .forbidden),
            ("no token", nil, "news", .unauthorized(reason: "no token")),
            ("garbage", "not.a.jwt", nil, .unauthorized(reason: "malformed token")),
            ("expired", TestTokens.hmac(claims(exp: now - 31)), nil, .unauthorized(reason: "token expired")),
            ("expired within leeway", TestTokens.hmac(claims(exp: now - 29)), nil, .admit(subject: "alice", expiresAt: now + 1)),
            ("not yet valid", TestTokens.hmac(claims(nbf: now + 31)), nil, .unauthorized(reason: "token not yet valid")),
            ("nbf within leeway", TestTokens.hmac(claims(nbf: now + 29)), nil, .admit(subject: "alice", expiresAt: nil)),
            ("wrong key", TestTokens.hmac(claims(exp: now + 600), secret: "other"), nil, .unauthorized(reason: "bad signature")),
            ("wrong alg", TestTokens.hmac(claims(exp: now + 600), alg: "HS512"), nil, .unauthorized(reason: "algorithm not accepted")),
            ("alg none", TestTokens.unsigned(claims(exp: now + 600)), nil, .unauthorized(reason: "algorithm not accepted")),
            ("wrong audience", TestTokens.hmac(claims(exp: now + 600, aud: #""other""#)), nil, .unauthorized(reason: "wrong audience")),
            ("audience in a list", TestTokens.hmac(claims(aud: #"["x","holdfast"]"#)), nil, .admit(subject: "alice", expiresAt: nil)),
            ("wrong issuer", TestTokens.hmac(claims(iss: "https://evil.example")), nil, .unauthorized(reason: "wrong issuer")),
            ("tampered payload", TestTokens.tampered(valid, claims: claims(exp: now + 600, channels: #"["*"]"#)), "sport",
             .unauthorized(reason: "bad signature")),
            ("critical extension", TestTokens.sign(header: #"{"alg":"HS256","crit":["b64"],"b64":false}"#, claims: claims()) {
                Array(HMAC<SHA256>.authenticationCode(for: $0, using: SymmetricKey(data: Array("s3cret".utf8))))
            }, nil, .unauthorized(reason: "critical header extension")),
            ("exp not a number", TestTokens.hmac(#"{"exp":"soon"}"#), nil, .unauthorized(reason: "exp is not a number")),
        ]
        for (name, token, channel, expected) in rows {
            XCTAssertEqual(verifier.verify(token, channel: channel, now: now), expected, name)
        }
    }

    func testHS384AndHS512WhenConfigured() throws {
        let verifier = try JWTVerifier(policy: hmacPolicy(algorithms: [.hs384, .hs512], issuer: nil, audience: nil))
        for alg in ["HS384", "HS512"] {
            XCTAssertEqual(verifier.verify(TestTokens.hmac(#"{"sub":"bob"}"#, alg: alg), now: now),
                           .admit(subject: "bob", expiresAt: nil), alg)
        }
        XCTAssertEqual(verifier.verify(TestTokens.hmac(#"{"sub":"bob"}"#), now: now), .unauthorized(reason: "algorithm not accepted"))
    }

    func testRS256AndAlgorithmConfusion() throws {
        let privateKey = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let pem = privateKey.publicKey.pemRepresentation
        let verifier = try JWTVerifier(policy: JWTPolicy(algorithms: [.rs256], keys: [.publicKeyPEM(pem)], issuer: nil,
                                                         audience: nil, channelsClaim: "channels", leewaySeconds: 0))
        let otherKey = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let rows: [(String, String, AuthVerdict)] = [
            ("valid", TestTokens.rs256(#"{"sub":"carol","exp":\#(now + 5)}"#, key: privateKey), .admit(subject: "carol", expiresAt: now + 5)),
            ("wrong key", TestTokens.rs256(#"{"sub":"carol"}"#, key: otherKey), .unauthorized(reason: "bad signature")),
            // The public key's PEM as an HMAC secret: the classic confusion attack.
            ("HS256 signed with the public key", TestTokens.hmac(#"{"sub":"carol"}"#, secret: pem), .unauthorized(reason: "algorithm not accepted")),
            ("alg none", TestTokens.unsigned(#"{"sub":"carol"}"#), .unauthorized(reason: "algorithm not accepted")),
            ("expired", TestTokens.rs256(#"{"sub":"carol","exp":\#(now)}"#, key: privateKey), .unauthorized(reason: "token expired")),
        ]
        for (name, token, expected) in rows {
            XCTAssertEqual(verifier.verify(token, now: now), expected, name)
        }
    }

    func testES256() throws {
        let privateKey = P256.Signing.PrivateKey()
        let verifier = try JWTVerifier(policy: JWTPolicy(algorithms: [.es256], keys: [.publicKeyPEM(privateKey.publicKey.pemRepresentation)],
                                                         issuer: nil, audience: nil, channelsClaim: "channels", leewaySeconds: 0))
        XCTAssertEqual(verifier.verify(TestTokens.es256(#"{"sub":"dave"}"#, key: privateKey), now: now), .admit(subject: "dave", expiresAt: nil))
        XCTAssertEqual(verifier.verify(TestTokens.es256(#"{"sub":"dave"}"#, key: P256.Signing.PrivateKey()), now: now),
                       .unauthorized(reason: "bad signature"))
    }

    func testEveryKeyOfARotationIsAccepted() throws {
        let verifier = try JWTVerifier(policy: JWTPolicy(algorithms: [.hs256], keys: [.secret("new"), .secret("old")], issuer: nil,
                                                         audience: nil, channelsClaim: "channels", leewaySeconds: 0))
        for secret in ["new", "old"] {
            XCTAssertEqual(verifier.verify(TestTokens.hmac(#"{"sub":"eve"}"#, secret: secret), now: now), .admit(subject: "eve", expiresAt: nil), secret)
        }
        XCTAssertEqual(verifier.verify(TestTokens.hmac(#"{"sub":"eve"}"#, secret: "retired"), now: now), .unauthorized(reason: "bad signature"))
    }

    func testKeysThatCannotVerifyTheirAlgorithmsAreRefused() throws {
        let rsaPEM = try _RSA.Signing.PrivateKey(keySize: .bits2048).publicKey.pemRepresentation
        let rows: [(String, [JWTAlgorithm], JWTPolicy.KeyMaterial, String)] = [
            ("secret for RS256", [.rs256], .secret("x"), "RS256 needs a public key in key_file, not a key"),
            ("PEM for HS256", [.hs256], .publicKeyPEM(rsaPEM), "HS256 needs a shared secret in key, not a key_file"),
            ("RSA key for ES256", [.es256], .publicKeyPEM(rsaPEM), #"ES256 needs a P-256 public key in PEM ("BEGIN PUBLIC KEY")"#),
            ("not PEM", [.rs256], .publicKeyPEM("hello"),
             #"RS256 needs an RSA public key of at least 2048 bits in PEM ("BEGIN PUBLIC KEY")"#),
        ]
        for (name, algorithms, key, reason) in rows {
            let policy = JWTPolicy(algorithms: algorithms, keys: [key], issuer: nil, audience: nil, channelsClaim: "c", leewaySeconds: 0)
            XCTAssertThrowsError(try JWTVerifier(policy: policy), name) { error in
                XCTAssertEqual((error as? JWTVerifier.UnusableKey)?.reason, reason, name)
            }
        }
    }
}
