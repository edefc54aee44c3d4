/// Any JSON value, kept without losing the difference between `true`, `1` and `1.5`,
/// so publish validation can say exactly which type it expected.
public enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case integer(Int)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public static func parse(_ bytes: [UInt8]) -> JSONValue? {
        JSONParser.parse(bytes)
    }

    /// How a value is named in error messages: its type and, when short, the value itself.
    var described: String {
        switch self {
        case .null: return "null"
        case .bool(let value): return "\(value)"
        case .integer(let value): return "\(value)"
        case .number(let value): return "\(value)"
        case .string(let value): return value.count <= 40 ? "the string \"\(value)\"" : "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}
