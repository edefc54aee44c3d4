import Wire

/// A JSON object being read as part of a publish request; `path` names it in errors (`items[2].formats`).
struct JSONFields {
    let values: [String: JSONValue]
    let path: String

    init(_ value: JSONValue, path: String) throws(PublishError) {
        guard case .object(let values) = value else {
            throw PublishError(reason: "\(path) expected an object; got \(value.described)")
        }
        self.values = values
        self.path = path
    }

    /// nil when absent or null.
    func string(_ key: String) throws(PublishError) -> String? {
        switch values[key] {
        case nil, .null?: return nil
        case .string(let text)?: return text
        case let other?: throw PublishError(reason: "\(path).\(key) expected a string; got \(other.described)")
        }
    }

    /// nil when absent or null.
    func object(_ key: String) throws(PublishError) -> JSONFields? {
        switch values[key] {
        case nil, .null?: return nil
        case let value?: return try JSONFields(value, path: "\(path).\(key)")
        }
    }

    /// Bytes given either as text (`body`) or as base64 (`body-bin`), never both; nil when neither.
    func bytes(text textKey: String, base64 base64Key: String) throws(PublishError) -> [UInt8]? {
        let text = try string(textKey)
        let encoded = try string(base64Key)
        switch (text, encoded) {
        case (nil, nil):
            return nil
        case (let text?, nil):
            return Array(text.utf8)
        case (nil, let encoded?):
            guard let decoded = Base64.decode(encoded) else {
                throw PublishError(reason: "\(path).\(base64Key) expected base64; got \(JSONValue.string(encoded).described)")
            }
            return decoded
        case (_?, _?):
            throw PublishError(reason: "\(path) expected \(textKey) or \(base64Key); got both")
        }
    }
}
