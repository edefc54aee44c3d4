/// A key's place in the document, from the root: `backend[1].health.interval` is
/// `.key("backend"), .index(1), .key("health"), .key("interval")`, entries of an array of tables by index.
struct TOMLPath: Hashable, Sendable {
    enum Component: Hashable, Sendable {
        case key(String)
        case index(Int)
    }

    private(set) var components: [Component]

    init(_ components: Component...) {
        self.components = components
    }

    /// A path through tables only: `["server", "listen"]`.
    init(keys: [String]) {
        components = keys.map(Component.key)
    }

    static let root = TOMLPath()

    func appending(_ key: String) -> TOMLPath { appending(.key(key)) }

    func appending(index: Int) -> TOMLPath { appending(.index(index)) }

    func appending(_ component: Component) -> TOMLPath {
        var path = self
        path.components.append(component)
        return path
    }

    /// The table or array holding this key; nil for the root.
    var parent: TOMLPath? {
        guard !components.isEmpty else { return nil }
        var path = self
        path.components.removeLast()
        return path
    }
}
