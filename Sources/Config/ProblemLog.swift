/// Collects problems as full lines. Parsing goes on after each one, so the user sees them all at once.
final class ProblemLog {
    let fileName: String
    let keyLines: KeyLineIndex
    private(set) var lines: [String] = []

    init(fileName: String, keyLines: KeyLineIndex) {
        self.fileName = fileName
        self.keyLines = keyLines
    }

    /// `paths` are the keys the problem belongs to, the wrong one first. The line named is that of the
    /// first one the file writes, else of the nearest table holding the first; without any, the file alone.
    func add(_ text: String, at paths: [TOMLPath] = []) {
        let line = paths.lazy.compactMap(keyLines.line(of:)).first ?? paths.first.flatMap(keyLines.nearestLine(of:))
        lines.append("\(fileName):\(line.map { "\($0):" } ?? "") \(text)")
    }
}

/// Where a key sits: the array entry it belongs to (`backend[1] "app2"`), its path inside it (`health.`)
/// and its place in the document (`backend[1].health`), which finds its line.
struct Location {
    var entry: String?
    var keyPrefix = ""
    var path = TOMLPath.root

    /// `backend[1] "app2": ` or nothing.
    var entryPrefix: String { entry.map { "\($0): " } ?? "" }

    /// `backend[1] "app2": health.interval`.
    func describe(_ key: String) -> String { entryPrefix + keyPrefix + key }

    func child(_ name: String) -> Location {
        Location(entry: entry, keyPrefix: keyPrefix + name + ".", path: path.appending(name))
    }
}
