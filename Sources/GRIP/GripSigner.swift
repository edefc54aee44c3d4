import Crypto

/// Makes the `Grip-Sig` request header: a JWT (HS256) with claims `iss` and `exp`, signed with
/// `grip.signing_key`, so GRIP libraries in the backend know a GRIP proxy is in front.
public struct GripSigner: Sendable {
    /// Raw bytes rather than a SymmetricKey, which is not Sendable.
    private let key: [UInt8]
    public let issuer: String

    /// `key` is used as its UTF-8 bytes, as GRIP libraries do with a string key.
    public init(key: String, issuer: String = "holdfast") {
        self.key = Array(key.utf8)
        self.issuer = issuer
    }

    /// A token that expires `lifetime` seconds after `now` (unix seconds). Callers may reuse a token until shortly before then.
    public func token(now: Int64, lifetime: Int64 = 3600) -> String {
        let claims = #"{"iss":"# + JSONText.quoted(issuer) + #","exp":"# + String(now + lifetime) + "}"
        let signingInput = JWT.signingInput(headerJSON: #"{"alg":"HS256","typ":"JWT"}"#, claimsJSON: claims)
        let signature = HMAC<SHA256>.authenticationCode(for: Array(signingInput.utf8), using: SymmetricKey(data: key))
        return JWT.token(signingInput: signingInput, signature: Array(signature))
    }

    /// Whether `token` is an HS256 JWT signed with `key` whose `exp` is after `now`, as a backend checks it.
    public static func verify(_ token: String, key: String, now: Int64) -> Bool {
        guard let jwt = JWT(decoding: token), jwt.header["alg"] == .string("HS256"),
              case .integer(let expiry)? = jwt.claims["exp"]
        else { return false }
        let symmetricKey = SymmetricKey(data: Array(key.utf8))
        return HMAC<SHA256>.isValidAuthenticationCode(jwt.signature, authenticating: jwt.signingInput, using: symmetricKey)
            && Int64(expiry) > now
    }
}
