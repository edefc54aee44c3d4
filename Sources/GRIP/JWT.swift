import Wire

/// The compact JWS form of a JWT (RFC 7519): `header.claims.signature`, each base64url without
/// padding. One codec for the `Grip-Sig` signer and the `Auth` verifier; it neither signs nor
/// verifies, so the callers choose their algorithms and keys.
public struct JWT: Sendable {
    public let header: [String: JSONValue]
    public let claims: [String: JSONValue]
    /// The bytes the signature covers: the first two segments as written, with their dot.
    public let signingInput: [UInt8]
    public let signature: [UInt8]

    /// nil unless `token` is three base64url segments whose first two are JSON objects.
    public init?(decoding token: some StringProtocol) {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3,
              let headerBytes = Base64.decode(String(parts[0]), alphabet: .url),
              let claimBytes = Base64.decode(String(parts[1]), alphabet: .url),
              let signature = Base64.decode(String(parts[2]), alphabet: .url),
              case .object(let header)? = JSONValue.parse(headerBytes),
              case .object(let claims)? = JSONValue.parse(claimBytes)
        else { return nil }
        self.header = header
        self.claims = claims
        signingInput = Array("\(parts[0]).\(parts[1])".utf8)
        self.signature = signature
    }

    /// The signing input for a header and claims already written as JSON text.
    public static func signingInput(headerJSON: String, claimsJSON: String) -> String {
        segment(Array(headerJSON.utf8)) + "." + segment(Array(claimsJSON.utf8))
    }

    /// The whole token: the signing input, a dot, the signature.
    public static func token(signingInput: String, signature: some Collection<UInt8>) -> String {
        signingInput + "." + segment(signature)
    }

    private static func segment(_ bytes: some Collection<UInt8>) -> String {
        Base64.encode(bytes, alphabet: .url, padded: false)
    }
}
