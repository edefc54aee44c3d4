import Crypto
import GRIP
import _CryptoExtras

/// Makes tokens for the tables: any header, any claims, signed by whatever the row needs.
enum TestTokens {
    static func hmac(_ claims: String, secret: String = "s3cret", alg: String = "HS256") -> String {
        sign(header: #"{"alg":"\#(alg)","typ":"JWT"}"#, claims: claims) { input in
            let key = SymmetricKey(data: Array(secret.utf8))
            switch alg {
            case "HS384": return Array(HMAC<SHA384>.authenticationCode(for: input, using: key))
            case "HS512": return Array(HMAC<SHA512>.authenticationCode(for: input, using: key))
            default: return Array(HMAC<SHA256>.authenticationCode(for: input, using: key))
            }
        }
    }

    static func rs256(_ claims: String, key: _RSA.Signing.PrivateKey) -> String {
        sign(header: #"{"alg":"RS256","typ":"JWT"}"#, claims: claims) { input in
            Array((try! key.signature(for: SHA256.hash(data: input), padding: .insecurePKCS1v1_5)).rawRepresentation)
        }
    }

    static func es256(_ claims: String, key: P256.Signing.PrivateKey) -> String {
        sign(header: #"{"alg":"ES256","typ":"JWT"}"#, claims: claims) { input in
            Array((try! key.signature(for: SHA256.hash(data: input))).rawRepresentation)
        }
    }

    /// `alg: none`, with an empty signature, as an attacker sends it.
    static func unsigned(_ claims: String) -> String {
        sign(header: #"{"alg":"none","typ":"JWT"}"#, claims: claims) { _ in [] }
    }

    static func sign(header: String, claims: String, _ signature: ([UInt8]) -> [UInt8]) -> String {
        let input = JWT.signingInput(headerJSON: header, claimsJSON: claims)
        return JWT.token(signingInput: input, signature: signature(Array(input.utf8)))
    }

    /// The token with its claims segment replaced, signature kept.
    static func tampered(_ token: String, claims: String) -> String {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        let forged = JWT.signingInput(headerJSON: "{}", claimsJSON: claims).split(separator: ".")[1]
        return "\(parts[0]).\(forged).\(parts[2])"
    }
}
