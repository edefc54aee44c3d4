/// The JWS algorithms Holdfast verifies (`alg` in a token's header). `none` is not among them.
public enum JWTAlgorithm: String, Sendable, Hashable, CaseIterable {
    case hs256 = "HS256", hs384 = "HS384", hs512 = "HS512", rs256 = "RS256", es256 = "ES256"

    /// Verified with a shared secret (`key`) rather than a public key (`key_file`).
    public var usesSharedSecret: Bool {
        switch self {
        case .hs256, .hs384, .hs512: true
        case .rs256, .es256: false
        }
    }
}
