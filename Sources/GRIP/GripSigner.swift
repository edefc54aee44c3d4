import Crypto

/// Makes the `Grip-Sig` request header: a JWT (HS256) with claims `iss` and `exp`, signed with
/// `grip.signing_key`, so GRIP libraries in the backend know a GRIP proxy is in front.
public struct GripSigner: Sendable {
    /// Raw bytes rather than a SymmetricKey, which is not Sendable.
    private let key: [UInt8]
    public let issuer: String
    private let header = Base64.encode(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8), alphabet: .url, padded: false)

    /// `key` is used as its UTF-8 bytes, as GRIP libraries do with a string key.
    public init(key: String, issuer: String = "holdfast") {
        self.key = Array(key.utf8)
        self.issuer = issuer
    }

    /// A token that expires `lifetime` seconds after `now` (unix seconds). Callers may reuse a token until shortly before then.
    public func token(now: Int64, lifetime: Int64 = 3600) -> String {
        let claims = #"{"iss":"# + JSONText.quoted(issuer) + #","exp":"# + String(now + lifetime) + "}"
        let signingInput = header + "." + Base64.encode(Array(claims.utf8), alphabet: .url, padded: false)
        let signature = HMAC<SHA256>.authenticationCode(for: Array(signingInput.utf8), using: SymmetricKey(data: key))
        return signingInput + "." + Base64.encode(Array(signature), alphabet: .url, padded: false)
    }

    /// Whether `token` is an HS256 JWT signed with `key` whose `exp` is after `now`, as a backend checks it.
    public static func verify(_ token: String, key: String, now: Int64) -> Bool {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3,
              let headerBytes = Base64.decode(String(parts[0]), alphabet: .url),
              let claimBytes = Base64.decode(String(parts[1]), alphabet: .url),
              let signature = Base64.decode(String(parts[2]), alphabet: .url),
              case .object(let header)? = JSONValue.parse(headerBytes), header["alg"] == .string("HS256"),
              case .object(let claims)? = JSONValue.parse(claimBytes), case .integer(let expiry)? = claims["exp"]
        else { return false }
        let signingInput = Array("\(parts[0]).\(parts[1])".utf8)
        let symmetricKey = SymmetricKey(data: Array(key.utf8))
        return HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: signingInput, using: symmetricKey)
            && Int64(expiry) > now
    }
}
