import Auth

/// One `[[auth]]` of type `jwt` (docs/security.md): where its token is found and what it must hold.
public struct AuthConfig: Sendable, Equatable {
    public var name: String
    public var tokenFrom: [TokenSource]
    /// Checked at load time: its key suits its algorithms.
    public var policy: JWTPolicy
    public init(name: String, tokenFrom: [TokenSource], policy: JWTPolicy) {
        self.name = name
        self.tokenFrom = tokenFrom
        self.policy = policy
    }
}

/// A place a request may carry its token. Header names are stored lowercased.
public enum TokenSource: Sendable, Hashable {
    case header(String)
    case query(String)
    case cookie(String)
}
