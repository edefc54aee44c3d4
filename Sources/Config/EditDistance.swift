/// Edit distance counting insertions, deletions, substitutions and swaps of neighbours
/// (optimal string alignment), for "did you mean" suggestions on unknown keys.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    var rows = [Array(0...b.count)]
    for i in a.indices {
        var row = [i + 1]
        for j in b.indices {
            var distance = min(rows[i][j + 1] + 1, row[j] + 1, rows[i][j] + (a[i] == b[j] ? 0 : 1))
            if i > 0, j > 0, a[i] == b[j - 1], a[i - 1] == b[j] {
                distance = min(distance, rows[i - 1][j - 1] + 1)
            }
            row.append(distance)
        }
        rows.append(row)
    }
    return rows[a.count][b.count]
}

/// The candidate closest to `word`, if it is close enough to be a likely typo.
func closestMatch(to word: String, among candidates: [String]) -> String? {
    let limit = max(1, word.count / 3)
    return candidates
        .map { (candidate: $0, distance: editDistance(word.lowercased(), $0)) }
        .filter { $0.distance <= limit }
        .min { $0.distance < $1.distance }?
        .candidate
}
