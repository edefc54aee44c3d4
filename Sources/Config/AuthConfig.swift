import Auth

/// One `[[auth]]` (docs/security.md): its name, and how it decides whether a request is admitted.
public struct AuthConfig: Sendable, Equatable {
    public var name: String
    public var method: AuthMethod
    public init(name: String, method: AuthMethod) {
        self.name = name
        self.method = method
    }
}

public enum AuthMethod: Sendable, Equatable {
    /// A signed token, looked for where `tokenFrom` says. The policy was checked at load time: its
    /// key suits its algorithms.
    case jwt(tokenFrom: [TokenSource], policy: JWTPolicy)
    /// nginx `auth_request` style: `GET path` on `backend` (an index into `ProxyConfig.backends`),
    /// through its pool, decides.
    case request(backend: Int, path: String)
}

/// A place a request may carry its token. Header names are stored lowercased.
public enum TokenSource: Sendable, Hashable {
    case header(String)
    case query(String)
    case cookie(String)
}
