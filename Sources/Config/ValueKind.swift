#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Auth
import TOMLKit

/// What a key holds: how to say what is expected, and how a TOML value becomes a `ConfigValue`.
enum ValueKind: Sendable {
    case boolean
    case integer(ClosedRange<Int>)
    case byteCount(ClosedRange<Int>)
    /// Above zero.
    case duration
    /// Zero or more: a tolerance rather than a wait.
    case durationFromZero
    /// A non-empty string.
    case text
    case endpoint
    /// At least one address.
    case endpointList
    /// One address, or a non-empty list of them.
    case endpointOrList
    case originList
    case headerNameList
    case backendName
    case backendNameList
    case routePath
    case healthPath
    case hostPattern
    /// At least one.
    case hostPatternList
    case sticky
    case subscribe
    case webSocketMode
    case readableFile
    /// One string, or a non-empty list of them: the key(s) accepted while one is rotated out.
    case textOrList
    /// One readable file's path, or a non-empty list of them.
    case readableFileOrList
    case tlsVersion
    case authType
    case jwtAlgorithmList
    case tokenSourceList
    case redisAddress
}

/// A converted value, before it is placed in its field of `ProxyConfig`.
enum ConfigValue: Equatable {
    case boolean(Bool)
    case integer(Int)
    case duration(Duration)
    case text(String)
    case endpoint(EndpointAddress)
    case endpoints([EndpointAddress])
    case strings([String])
    case hostPattern(HostPattern)
    case hostPatterns([HostPattern])
    case sticky(StickyKey)
    case subscribe(SubscribeMode)
    case webSocketMode(WebSocketMode)
    case algorithms([JWTAlgorithm])
    case tokenSources([TokenSource])
    case redis(RedisAddress)
}

extension ValueKind {
    /// What the key expects, as the error message says it. `example` is the key's default in TOML, if any.
    func expectation(example: String?) -> String {
        switch self {
        case .boolean: "true or false"
        case .integer(let range): "an integer " + describe(range)
        case .byteCount(let range): "a size in bytes " + describe(range)
        case .duration: "a duration like \(example ?? "\"30s\"")"
        case .durationFromZero: "a duration like \(example ?? "\"30s\"") or \"0s\""
        case .text: "a non-empty string"
        case .endpoint: "an address like \(example ?? "\"127.0.0.1:9000\"") or \"[::1]:9000\""
        case .endpointList: "a non-empty list of addresses like \(example ?? "[\"0.0.0.0:8080\"]") or [\"[::]:8080\"]"
        case .endpointOrList: "an address like \(example ?? "\"0.0.0.0:8443\"") or a non-empty list of them"
        case .originList: "a list of origins like [\"https://app.example.com\", \"https://*.example.org\"], or [\"*\"]"
        case .headerNameList: "a list of header names like [\"Content-Type\"]"
        case .backendName: "a name made of letters, digits, \"_\", \".\" and \"-\""
        case .backendNameList: "a list of backend names like [\"app\"]"
        case .routePath: "a path starting with \"/\", without \"?\""
        case .healthPath: "a path starting with \"/\""
        case .hostPattern: "a host like \"example.org\" or \"*.example.org\""
        case .hostPatternList: "a non-empty list of hosts like [\"example.org\", \"*.example.org\"]"
        case .sticky: "one of \"cookie:NAME\", \"header:NAME\", \"query:NAME\", \"ip\", \"none\""
        case .subscribe: "one of \"sse\", \"longpoll\", \"stream\", \"websocket\""
        case .webSocketMode: "\"tunnel\" or \"grip\""
        case .readableFile: "a path to a readable file"
        case .textOrList: "a non-empty string or a non-empty list of them"
        case .readableFileOrList: "a path to a readable file or a non-empty list of them"
        case .authType: "\"jwt\" or \"request\""
        case .tlsVersion: "\"1.2\" or \"1.3\""
        case .jwtAlgorithmList: "a non-empty list of \"HS256\", \"HS384\", \"HS512\", \"RS256\", \"ES256\""
        case .tokenSourceList: "a non-empty list of \"header:NAME\", \"query:NAME\", \"cookie:NAME\""
        case .redisAddress: "a Redis address like \"redis://127.0.0.1:6379/0\", \"redis://:password@host:6379\" or \"unix:/run/redis.sock\""
        }
    }

    /// The value, or nil when it is not what `expectation` describes.
    func convert(_ raw: TOMLValueConvertible) -> ConfigValue? {
        switch self {
        case .boolean:
            return raw.bool.map(ConfigValue.boolean)
        case .integer(let range), .byteCount(let range):
            return raw.int.flatMap { range.contains($0) ? .integer($0) : nil }
        case .duration:
            return raw.string.flatMap(parseDuration).flatMap { $0 > .zero ? .duration($0) : nil }
        case .durationFromZero:
            return raw.string.flatMap(parseDuration).map(ConfigValue.duration)
        case .text:
            return raw.string.flatMap { $0.isEmpty ? nil : .text($0) }
        case .endpoint:
            return raw.string.flatMap(EndpointAddress.init(parsing:)).map(ConfigValue.endpoint)
        case .endpointList:
            return strings(raw).flatMap(endpoints)
        case .endpointOrList:
            return oneOrMore(raw).flatMap(endpoints)
        case .originList:
            return strings(raw).flatMap { $0.allSatisfy(isOriginPattern) ? .strings($0.map { $0.lowercased() }) : nil }
        case .headerNameList:
            return strings(raw).flatMap { $0.allSatisfy { isToken(Substring($0)) } ? .strings($0) : nil }
        case .backendName:
            return raw.string.flatMap { isBackendName($0) ? .text($0) : nil }
        case .backendNameList:
            return strings(raw).flatMap { $0.allSatisfy(isBackendName) ? .strings($0) : nil }
        case .routePath:
            return raw.string.flatMap { isURLPath($0, allowingQuery: false) ? .text($0) : nil }
        case .healthPath:
            return raw.string.flatMap { isURLPath($0, allowingQuery: true) ? .text($0) : nil }
        case .hostPattern:
            return raw.string.flatMap(HostPattern.init(parsing:)).map(ConfigValue.hostPattern)
        case .hostPatternList:
            return strings(raw).flatMap { texts in
                let patterns = texts.compactMap(HostPattern.init(parsing:))
                return patterns.count == texts.count && !patterns.isEmpty ? .hostPatterns(patterns) : nil
            }
        case .sticky:
            return raw.string.flatMap(StickyKey.init(parsing:)).map(ConfigValue.sticky)
        case .subscribe:
            return raw.string.flatMap(SubscribeMode.init(rawValue:)).map(ConfigValue.subscribe)
        case .webSocketMode:
            return raw.string.flatMap(WebSocketMode.init(rawValue:)).map(ConfigValue.webSocketMode)
        case .readableFile:
            return raw.string.flatMap { isReadableFile($0) ? .text($0) : nil }
        case .textOrList:
            return oneOrMore(raw).flatMap { $0.allSatisfy { !$0.isEmpty } ? .strings($0) : nil }
        case .readableFileOrList:
            return oneOrMore(raw).flatMap { $0.allSatisfy(isReadableFile) ? .strings($0) : nil }
        case .tlsVersion:
            return raw.string.flatMap { TLSVersion(rawValue: $0) == nil ? nil : .text($0) }
        case .authType:
            return raw.string.flatMap { $0 == "jwt" || $0 == "request" ? .text($0) : nil }
        case .jwtAlgorithmList:
            return strings(raw).flatMap { texts in
                let algorithms = texts.compactMap(JWTAlgorithm.init(rawValue:))
                return algorithms.count == texts.count && !algorithms.isEmpty ? .algorithms(algorithms) : nil
            }
        case .tokenSourceList:
            return strings(raw).flatMap { texts in
                let sources = texts.compactMap(TokenSource.init(parsing:))
                return sources.count == texts.count && !sources.isEmpty ? .tokenSources(sources) : nil
            }
        case .redisAddress:
            return raw.string.flatMap(RedisAddress.init(parsing:)).map(ConfigValue.redis)
        }
    }
}

private func describe(_ range: ClosedRange<Int>) -> String {
    range.upperBound == Int.max ? "of at least \(range.lowerBound)" : "from \(range.lowerBound) to \(range.upperBound)"
}

/// The strings of an array of strings; nil if `raw` is not one.
private func strings(_ raw: TOMLValueConvertible) -> [String]? {
    guard let array = raw.array else { return nil }
    let texts = array.compactMap(\.string)
    return texts.count == array.count ? texts : nil
}

/// Every text parsed as an address; nil if one is not, or there are none.
private func endpoints(_ texts: [String]) -> ConfigValue? {
    let addresses = texts.compactMap(EndpointAddress.init(parsing:))
    return addresses.count == texts.count && !addresses.isEmpty ? .endpoints(addresses) : nil
}

/// A string as a list of one, or a non-empty list of strings.
private func oneOrMore(_ raw: TOMLValueConvertible) -> [String]? {
    if let single = raw.string { return [single] }
    return strings(raw).flatMap { $0.isEmpty ? nil : $0 }
}

/// Checked at load time so a wrong TLS path fails `--check-config`, not the first handshake.
private func isReadableFile(_ path: String) -> Bool {
    var status = stat()
    return !path.isEmpty && stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG && access(path, R_OK) == 0
}
