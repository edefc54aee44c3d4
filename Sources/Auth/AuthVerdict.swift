/// What an `[[auth]]` says of one request.
public enum AuthVerdict: Sendable, Equatable {
    /// `subject` is the token's `sub`; `expiresAt` (unix seconds) is when the token stops being
    /// accepted (`exp` plus leeway), nil for a token without `exp`.
    case admit(subject: String?, expiresAt: Int64?)
    /// No token, or one that is not valid: `401`. `reason` is for logs, never for the client.
    case unauthorized(reason: String)
    /// A valid token that does not grant this channel: `403`.
    case forbidden
}
