/// Everything wrong with a configuration file, one full line per problem
/// (`proxy.conf:12: timeouts.hold expects a duration like "55s" (got "soon")`).
public struct ConfigError: Error, CustomStringConvertible {
    public var problems: [String]

    public init(problems: [String]) {
        self.problems = problems
    }

    public var description: String { problems.joined(separator: "\n") }
}
