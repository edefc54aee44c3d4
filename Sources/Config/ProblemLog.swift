/// Collects problems as full lines. Parsing goes on after each one, so the user sees them all at once.
final class ProblemLog {
    let fileName: String
    private(set) var lines: [String] = []

    init(fileName: String) {
        self.fileName = fileName
    }

    func add(_ text: String) {
        lines.append("\(fileName): \(text)")
    }
}

/// Where a key sits: the array entry it belongs to (`backend[1] "app2"`) and its path inside it (`health.`).
struct Location {
    var entry: String?
    var keyPrefix = ""

    /// `backend[1] "app2": ` or nothing.
    var entryPrefix: String { entry.map { "\($0): " } ?? "" }

    /// `backend[1] "app2": health.interval`.
    func describe(_ key: String) -> String { entryPrefix + keyPrefix + key }

    func child(_ name: String) -> Location { Location(entry: entry, keyPrefix: keyPrefix + name + ".") }
}
