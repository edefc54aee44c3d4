import Crypto
import Foundation
import GRIP

/// Tokens for the scenarios (HS256, or ES256 with a given key), made with the same codec Holdfast reads them with.
enum BearerTokens {
    static let secret = "integration-secret"

    /// A token for `subject`, granting `channels`, expiring `lifetime` seconds from now (negative: already expired).
    static func make(subject: String = "alice", channels: [String] = [], lifetime: Int = 600, secret: String = secret) -> String {
        let input = JWT.signingInput(headerJSON: #"{"alg":"HS256","typ":"JWT"}"#,
                                     claimsJSON: claims(subject: subject, channels: channels, lifetime: lifetime))
        let signature = HMAC<SHA256>.authenticationCode(for: Array(input.utf8), using: SymmetricKey(data: Array(secret.utf8)))
        return JWT.token(signingInput: input, signature: Array(signature))
    }

    /// The same claims signed ES256 with `key`, for `key_file` scenarios.
    static func es256(subject: String = "alice", key: P256.Signing.PrivateKey) throws -> String {
        let input = JWT.signingInput(headerJSON: #"{"alg":"ES256","typ":"JWT"}"#,
                                     claimsJSON: claims(subject: subject, channels: [], lifetime: 600))
        return JWT.token(signingInput: input, signature: Array(try key.signature(for: SHA256.hash(data: Array(input.utf8))).rawRepresentation))
    }

    private static func claims(subject: String, channels: [String], lifetime: Int) -> String {
        let exp = Int(Date().timeIntervalSince1970) + lifetime
        let channelList = channels.map { "\"\($0)\"" }.joined(separator: ",")
        return #"{"sub":"\#(subject)","exp":\#(exp),"channels":[\#(channelList)]}"#
    }

    /// The `[[auth]]` the scenarios name "users": HS256 with `secret`, no leeway to speak of.
    static let auth: [String: TOMLValue] = [
        "name": "users", "type": "jwt", "algorithms": ["HS256"], "key": .string(secret), "leeway": "0s",
    ]
}
