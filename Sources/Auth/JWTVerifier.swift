import GRIP

/// Checks bearer tokens against one `JWTPolicy`. A pure value: the caller finds the token and
/// passes the time, so the verdict depends on nothing else.
public struct JWTVerifier: Sendable {
    public let policy: JWTPolicy
    private let keys: [VerificationKey]

    /// Why a policy cannot verify anything: a key does not suit its algorithms.
    public struct UnusableKey: Error, Sendable {
        public let reason: String
    }

    public init(policy: JWTPolicy) throws(UnusableKey) {
        self.policy = policy
        do {
            keys = try policy.keys.map { key throws(VerificationKey.Unusable) in try VerificationKey(key, algorithms: policy.algorithms) }
        } catch {
            throw UnusableKey(reason: error.reason)
        }
        guard !keys.isEmpty else { throw UnusableKey(reason: "no key") }
    }

    /// The verdict on `token` (nil: the request carried none) at `now` (unix seconds). With a
    /// `channel` (a subscribe route), the token must also list it in the channels claim.
    public func verify(_ token: String?, channel: String? = nil, now: Int64) -> AuthVerdict {
        guard let token, !token.isEmpty else { return .unauthorized(reason: "no token") }
        guard let jwt = JWT(decoding: token) else { return .unauthorized(reason: "malformed token") }
        guard case .string(let name)? = jwt.header["alg"], let algorithm = JWTAlgorithm(rawValue: name),
              policy.algorithms.contains(algorithm)
        else { return .unauthorized(reason: "algorithm not accepted") }
        // RFC 7515 §4.1.11: extensions marked critical must be understood, and Holdfast knows none.
        guard jwt.header["crit"] == nil else { return .unauthorized(reason: "critical header extension") }
        // No `kid` lookup: during a rotation every configured key is tried, the newest first.
        guard keys.contains(where: { $0.verifies(jwt.signature, of: jwt.signingInput, algorithm: algorithm) }) else {
            return .unauthorized(reason: "bad signature")
        }
        let claims = jwt.claims
        var expiresAt: Int64?
        if let value = claims["exp"] {
            guard let exp = seconds(value) else { return .unauthorized(reason: "exp is not a number") }
            guard now < exp + policy.leewaySeconds else { return .unauthorized(reason: "token expired") }
            expiresAt = exp + policy.leewaySeconds
        }
        if let value = claims["nbf"] {
            guard let nbf = seconds(value) else { return .unauthorized(reason: "nbf is not a number") }
            guard now + policy.leewaySeconds >= nbf else { return .unauthorized(reason: "token not yet valid") }
        }
        if let issuer = policy.issuer, claims["iss"] != .string(issuer) {
            return .unauthorized(reason: "wrong issuer")
        }
        if let audience = policy.audience, !audiences(claims["aud"]).contains(audience) {
            return .unauthorized(reason: "wrong audience")
        }
        var subject: String?
        if case .string(let sub)? = claims["sub"] { subject = sub }
        if let channel, !ChannelGrant.grants(strings(claims[policy.channelsClaim]), channel) {
            return .forbidden
        }
        return .admit(subject: subject, expiresAt: expiresAt)
    }

    /// NumericDate (RFC 7519 §2): seconds, possibly with a fraction, which is dropped.
    private func seconds(_ value: JSONValue) -> Int64? {
        switch value {
        case .integer(let whole): Int64(whole)
        case .number(let fractional) where fractional.isFinite && abs(fractional) < 1e15: Int64(fractional.rounded(.down))
        default: nil
        }
    }

    /// `aud` is one string or an array of them (RFC 7519 §4.1.3).
    private func audiences(_ value: JSONValue?) -> [String] {
        if case .string(let single)? = value { return [single] }
        return strings(value)
    }

    private func strings(_ value: JSONValue?) -> [String] {
        guard case .array(let elements)? = value else { return [] }
        return elements.compactMap { if case .string(let text) = $0 { text } else { nil } }
    }
}
