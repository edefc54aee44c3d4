import Config

/// One `[[auth]]` as a worker applies it.
enum Authenticator {
    /// Decided at once, from the request's token.
    case token(TokenAuthenticator)
    /// Decided by a backend, asked per request (`AuthSubrequest`).
    case subrequest(backend: Int, path: String)

    init(_ config: AuthConfig) {
        switch config.method {
        case let .jwt(tokenFrom, policy):
            self = .token(TokenAuthenticator(name: config.name, tokenFrom: tokenFrom, policy: policy))
        case let .request(backend, path):
            self = .subrequest(backend: backend, path: path)
        }
    }
}
