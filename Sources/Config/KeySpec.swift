/// One key of the file: where it lives, what it holds, its default and what it is for.
struct KeySpec: Sendable {
    enum Presence: Sendable {
        case defaulted(DefaultValue)
        case optional
        /// Required whenever its table is present.
        case required
    }

    let section: ConfigSection
    let name: String
    let kind: ValueKind
    let presence: Presence
    /// One line, used as the comment in proxy.conf.example.
    let doc: String

    init(_ section: ConfigSection, _ name: String, _ kind: ValueKind, _ presence: Presence, _ doc: String) {
        self.section = section
        self.name = name
        self.kind = kind
        self.presence = presence
        self.doc = doc
    }

    var defaultValue: DefaultValue? {
        if case .defaulted(let value) = presence { value } else { nil }
    }
}

/// A default, kept as the TOML value a user would write, so it goes through the same conversion as the file.
enum DefaultValue: Sendable, Equatable {
    case boolean(Bool)
    case integer(Int)
    case string(String)
    case strings([String])

    /// As written in TOML: `false`, `8`, `"2s"`, `["0.0.0.0:8080"]`.
    var tomlText: String {
        switch self {
        case .boolean(let value): String(value)
        case .integer(let value): String(value)
        case .string(let value): quoted(value)
        case .strings(let values): "[" + values.map(quoted).joined(separator: ", ") + "]"
        }
    }
}
