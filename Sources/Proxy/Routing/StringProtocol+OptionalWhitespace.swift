extension StringProtocol {
    /// Without leading and trailing spaces and tabs (RFC 9110 OWS).
    func trimmingOptionalWhitespace() -> SubSequence {
        let isWhitespace = { (character: Character) in character == " " || character == "\t" }
        guard let first = firstIndex(where: { !isWhitespace($0) }), let last = lastIndex(where: { !isWhitespace($0) }) else {
            return self[endIndex...]
        }
        return self[first...last]
    }
}
