/// What one `[[auth]]` of type `jwt` accepts, as configured; `JWTVerifier` checks tokens against it.
public struct JWTPolicy: Sendable, Equatable {
    public enum KeyMaterial: Sendable, Equatable {
        /// An HMAC secret, used as its UTF-8 bytes.
        case secret(String)
        /// A PEM public key (RSA for RS256, P-256 for ES256), the text of `key_file`.
        case publicKeyPEM(String)
    }

    public var algorithms: [JWTAlgorithm]
    /// Every key a token may be signed with: more than one while a key is rotated out.
    public var keys: [KeyMaterial]
    public var issuer: String?
    public var audience: String?
    /// The claim listing the channels a token may subscribe to.
    public var channelsClaim: String
    /// Clock skew tolerated on `exp` and `nbf`.
    public var leewaySeconds: Int64

    public init(algorithms: [JWTAlgorithm], keys: [KeyMaterial], issuer: String?, audience: String?,
                channelsClaim: String, leewaySeconds: Int64) {
        self.algorithms = algorithms
        self.keys = keys
        self.issuer = issuer
        self.audience = audience
        self.channelsClaim = channelsClaim
        self.leewaySeconds = leewaySeconds
    }
}
