import GRIP
import Logging

/// Turns one log event into one line of text (newline included), without I/O, so the format is testable.
struct LogLineFormatter: Sendable {
    var format: LogFormat
    var role: String
    var pid: Int32

    func line(timestamp: String, level: Logger.Level, message: String, metadata: Logger.Metadata) -> String {
        switch format {
        case .text:
            var line = "\(timestamp) \(level.rawValue) [\(role) \(pid)] \(Self.singleLine(message))"
            for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
                line += " \(key)=\(Self.textValue(value))"
            }
            return line + "\n"
        case .json:
            var members = [
                ("ts", JSONText.quoted(timestamp)),
                ("level", JSONText.quoted(level.rawValue)),
                ("role", JSONText.quoted(role)),
                ("pid", String(pid)),
                ("msg", JSONText.quoted(message)),
            ]
            if !metadata.isEmpty { members.append(("metadata", Self.jsonValue(.dictionary(metadata)))) }
            return JSONText.object(members) + "\n"
        }
    }

    /// One event, one line: embedded line breaks would split it for anything reading the log line by line.
    private static func singleLine(_ text: String) -> String {
        text.contains(where: \.isNewline) ? text.replacing("\r\n", with: "\\n").replacing("\n", with: "\\n").replacing("\r", with: "\\r") : text
    }

    /// Values with spaces, quotes or `=` are quoted so `key=value` pairs stay unambiguous.
    private static func textValue(_ value: Logger.MetadataValue) -> String {
        let text = singleLine(value.description)
        let needsQuotes = text.isEmpty || text.contains { $0 == " " || $0 == "\"" || $0 == "=" }
        return needsQuotes ? JSONText.quoted(text) : text
    }

    private static func jsonValue(_ value: Logger.MetadataValue) -> String {
        switch value {
        case let .string(text): JSONText.quoted(text)
        case let .stringConvertible(convertible): JSONText.quoted(convertible.description)
        case let .array(values): JSONText.array(values.map(jsonValue))
        case let .dictionary(members):
            JSONText.object(members.sorted { $0.key < $1.key }.map { ($0.key, jsonValue($0.value)) })
        }
    }
}
