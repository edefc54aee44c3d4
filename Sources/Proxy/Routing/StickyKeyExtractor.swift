import Config
import HTTP1

/// Finds the sticky key of a request, the value hashed to choose its backend (docs/hashing.md).
/// An empty value counts as no key: hashing it would send every such request to one backend.
public enum StickyKeyExtractor {
    public static func key(_ rule: StickyKey, headers: HTTPHeaders, target: String, clientIP: String) -> String? {
        let value: String? = switch rule {
        case .cookie(let name): cookie(name, in: headers)
        case .header(let name): headers[name].map { String($0.trimmingOptionalWhitespace()) }
        case .query(let name): QueryParameter.value(named: name, in: target)
        case .clientIP: clientIP
        case .none: nil
        }
        return value?.isEmpty == false ? value : nil
    }

    /// The first cookie called `name` (case-sensitive, RFC 6265) over every `Cookie` header,
    /// each a `a=1; b=2` list; a value in double quotes is taken without them.
    static func cookie(_ name: String, in headers: HTTPHeaders) -> String? {
        for header in headers.values("Cookie") {
            for pair in header.split(separator: ";") {
                guard let equals = pair.firstIndex(of: "="),
                      pair[..<equals].trimmingOptionalWhitespace() == name else { continue }
                let value = pair[pair.index(after: equals)...].trimmingOptionalWhitespace()
                if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
                    return String(value.dropFirst().dropLast())
                }
                return String(value)
            }
        }
        return nil
    }
}
