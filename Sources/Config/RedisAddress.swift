/// Where `[cluster] redis` points (docs/cluster.md): `redis://[user:password@]host[:port][/db]` or
/// `unix:[//user:password@]/path[?db=N]`. User and password are taken as written (no percent-decoding):
/// the last `@` ends them and the first `:` separates them, so a password may hold `@`, `:` and `/`.
public struct RedisAddress: Sendable, Equatable {
    public enum Target: Sendable, Equatable {
        case tcp(host: String, port: UInt16)
        case unix(path: String)
    }

    public static let defaultPort: UInt16 = 6379

    public var target: Target
    /// For Redis 6 ACLs (`AUTH user password`); nil means the default user.
    public var user: String?
    public var password: String?
    public var database: Int

    public init(target: Target, user: String? = nil, password: String? = nil, database: Int = 0) {
        self.target = target
        self.user = user
        self.password = password
        self.database = database
    }

    public init?(parsing text: String) {
        if text.hasPrefix("redis://") {
            self.init(tcp: text.dropFirst("redis://".count))
        } else if text.hasPrefix("unix:") {
            self.init(unix: text.dropFirst("unix:".count))
        } else {
            return nil
        }
    }

    /// `[user:password@]host[:port][/db]`
    private init?(tcp rest: Substring) {
        let (credentials, location) = Self.splitCredentials(rest)
        let authority: Substring
        var database = 0
        if let slash = location.firstIndex(of: "/") {
            authority = location[..<slash]
            let databaseText = location[location.index(after: slash)...]
            if !databaseText.isEmpty {
                guard let number = Self.databaseNumber(databaseText) else { return nil }
                database = number
            }
        } else {
            authority = location
        }
        let hasPort = authority.hasPrefix("[") ? authority.contains("]:") : authority.contains(":")
        guard let endpoint = EndpointAddress(parsing: hasPort ? String(authority) : "\(authority):\(Self.defaultPort)") else { return nil }
        self.init(target: .tcp(host: endpoint.host, port: endpoint.port), user: credentials?.user, password: credentials?.password,
                  database: database)
    }

    /// `/path[?db=N]` or `//[user:password@]/path[?db=N]`
    private init?(unix rest: Substring) {
        var credentials: (user: String?, password: String?)?
        var location = rest
        if rest.hasPrefix("//") {
            (credentials, location) = Self.splitCredentials(rest.dropFirst(2))
        }
        var database = 0
        if let query = location.firstIndex(of: "?") {
            let parameter = location[location.index(after: query)...]
            guard parameter.hasPrefix("db="), let number = Self.databaseNumber(parameter.dropFirst(3)) else { return nil }
            database = number
            location = location[..<query]
        }
        guard location.hasPrefix("/"), location.count > 1 else { return nil }
        self.init(target: .unix(path: String(location)), user: credentials?.user, password: credentials?.password, database: database)
    }

    /// Splits `user:password@rest` at its last `@`; without a `:` the whole is the password, as redis-cli reads it.
    private static func splitCredentials(_ text: Substring) -> ((user: String?, password: String?)?, Substring) {
        guard let at = text.lastIndex(of: "@") else { return (nil, text) }
        let userInfo = text[..<at]
        let rest = text[text.index(after: at)...]
        guard let colon = userInfo.firstIndex(of: ":") else { return ((nil, String(userInfo)), rest) }
        let user = userInfo[..<colon]
        return ((user.isEmpty ? nil : String(user), String(userInfo[userInfo.index(after: colon)...])), rest)
    }

    private static func databaseNumber(_ text: Substring) -> Int? {
        guard (1...5).contains(text.count), text.allSatisfy(\.isASCIIDigit) else { return nil }
        return Int(text)
    }
}
