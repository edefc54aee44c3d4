import Crypto
import Foundation
import GRIP

/// HS256 tokens for the scenarios, made with the same codec Holdfast reads them with.
enum BearerTokens {
    static let secret = "integration-secret"

    /// A token for `subject`, granting `channels`, expiring `lifetime` seconds from now (negative: already expired).
    static func make(subject: String = "alice", channels: [String] = [], lifetime: Int = 600, secret: String = secret) -> String {
        let exp = Int(Date().timeIntervalSince1970) + lifetime
        let channelList = channels.map { "\"\($0)\"" }.joined(separator: ",")
        let claims = #"{"sub":"\#(subject)","exp":\#(exp),"channels":[\#(channelList)]}"#
        let input = JWT.signingInput(headerJSON: #"{"alg":"HS256","typ":"JWT"}"#, claimsJSON: claims)
        let signature = HMAC<SHA256>.authenticationCode(for: Array(input.utf8), using: SymmetricKey(data: Array(secret.utf8)))
        return JWT.token(signingInput: input, signature: Array(signature))
    }

    /// The `[[auth]]` the scenarios name "users": HS256 with `secret`, no leeway to speak of.
    static let auth: [String: TOMLValue] = [
        "name": "users", "type": "jwt", "algorithms": ["HS256"], "key": .string(secret), "leeway": "0s",
    ]
}
