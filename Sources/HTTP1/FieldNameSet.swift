/// Field names looked up ignoring ASCII case, without allocating. Bucketed by length, so a name
/// is compared only with those as long as it: a proxy asks this for every field of every head.
public struct FieldNameSet: Sendable {
    private var byLength: [[String]] = []

    public init(_ names: [String]) {
        for name in names {
            let length = name.utf8.count
            if byLength.count <= length { byLength += Array(repeating: [], count: length + 1 - byLength.count) }
            byLength[length].append(name)
        }
    }

    public func contains(_ name: String) -> Bool {
        let length = name.utf8.count
        return length < byLength.count && byLength[length].contains { name.equalsIgnoringASCIICase($0) }
    }
}
