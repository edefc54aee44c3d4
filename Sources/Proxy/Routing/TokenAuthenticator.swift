import Auth
import Config
import HTTP1

/// A `type = "jwt"` `[[auth]]` as a worker applies it: finds the request's token where
/// `token_from` says, then leaves the verdict to the pure `JWTVerifier`.
struct TokenAuthenticator {
    let tokenFrom: [TokenSource]
    let verifier: JWTVerifier

    init(name: String, tokenFrom: [TokenSource], policy: JWTPolicy) {
        guard let verifier = try? JWTVerifier(policy: policy) else {
            preconditionFailure("auth \(name) passed ConfigLoader, whose check builds the same verifier")
        }
        self.tokenFrom = tokenFrom
        self.verifier = verifier
    }

    /// `channel` is set on subscribe routes; `now` is unix seconds.
    func verdict(for head: RequestHead, channel: String?, now: Int64) -> AuthVerdict {
        verifier.verify(token(in: head), channel: channel, now: now)
    }

    /// The token of the first source that has one. A header's `Bearer ` scheme is removed; an
    /// `Authorization` of another scheme (Basic) holds no token, so later sources are tried.
    func token(in head: RequestHead) -> String? {
        for source in tokenFrom {
            let found: String?
            switch source {
            case .header(let name):
                found = head.headers[name].flatMap { value in
                    let trimmed = value.trimmingOptionalWhitespace()
                    if trimmed.count > 7, trimmed.prefix(7).lowercased() == "bearer " {
                        return String(trimmed.dropFirst(7).trimmingOptionalWhitespace())
                    }
                    return name == "authorization" ? nil : String(trimmed)
                }
            case .query(let name):
                found = QueryParameter.value(named: name, in: head.target)
            case .cookie(let name):
                found = StickyKeyExtractor.cookie(name, in: head.headers)
            }
            if let found, !found.isEmpty { return found }
        }
        return nil
    }
}
