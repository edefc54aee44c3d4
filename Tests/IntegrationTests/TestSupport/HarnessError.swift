/// A harness step that did not go as expected: what was expected, and what was got.
struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
