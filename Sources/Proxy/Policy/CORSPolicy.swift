import Config
import HTTP1

/// A route's CORS settings as a pure decision: a request head in, a verdict out.
struct CORSPolicy {
    private let origins: [OriginPattern]
    private let allowsCredentials: Bool
    private let allowHeaders: String
    private let exposeHeaders: String
    private let maxAgeSeconds: Int64

    init(_ config: CORSConfig) {
        origins = config.allowOrigins.map(OriginPattern.init(entry:))
        allowsCredentials = config.allowCredentials
        allowHeaders = config.allowHeaders.joined(separator: ", ")
        exposeHeaders = config.exposeHeaders.joined(separator: ", ")
        maxAgeSeconds = config.maxAge.components.seconds
    }

    func verdict(method: String, headers: HTTPHeaders) -> CORSVerdict {
        let sentOrigins = headers.values("origin")
        let requestedMethod = headers.values("access-control-request-method")
        let isPreflight = method == "OPTIONS" && !sentOrigins.isEmpty && !requestedMethod.isEmpty
        // One Origin, or it is no browser's request to trust.
        guard sentOrigins.count == 1, let allowOrigin = allowOriginValue(for: sentOrigins[0]) else {
            return isPreflight ? .preflightRefused : .answer(.empty)
        }
        var fields = [CORSHeaders.Field(name: "Access-Control-Allow-Origin", value: allowOrigin)]
        // An echoed origin makes the answer differ by Origin: caches must know.
        if allowOrigin != "*" { fields.append(.init(name: "Vary", value: "Origin")) }
        if allowsCredentials { fields.append(.init(name: "Access-Control-Allow-Credentials", value: "true")) }
        guard isPreflight else {
            if !exposeHeaders.isEmpty { fields.append(.init(name: "Access-Control-Expose-Headers", value: exposeHeaders)) }
            return .answer(CORSHeaders(fields: fields))
        }
        guard requestedMethod.count == 1, isMethodToken(requestedMethod[0]) else { return .preflightRefused }
        fields.append(.init(name: "Access-Control-Allow-Methods", value: requestedMethod[0]))
        if !allowHeaders.isEmpty { fields.append(.init(name: "Access-Control-Allow-Headers", value: allowHeaders)) }
        fields.append(.init(name: "Access-Control-Max-Age", value: String(maxAgeSeconds)))
        return .preflightAllowed(CORSHeaders(fields: fields))
    }

    /// `*` when every origin is allowed without credentials, the origin itself when it is allowed, else nil.
    private func allowOriginValue(for origin: String) -> String? {
        let lowered = origin.lowercased()
        guard let pattern = origins.first(where: { $0.matches(lowered) }) else { return nil }
        return pattern == .any && !allowsCredentials ? "*" : origin
    }
}

/// Only a method name may be echoed into `Access-Control-Allow-Methods`.
private func isMethodToken(_ text: String) -> Bool {
    !text.isEmpty && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "!#$%&'*+-.^_`|~".contains($0)) }
}
