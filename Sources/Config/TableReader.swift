import Auth
import TOMLKit

/// Reads one TOML table against the keys `ConfigSchema` declares for its section.
/// Unknown keys and bad values are logged; a bad or absent defaulted key reads as its default,
/// so one run reports every problem of the file.
struct TableReader {
    let table: TOMLTable
    let section: ConfigSection
    let location: Location
    let problems: ProblemLog

    init(_ table: TOMLTable, section: ConfigSection, location: Location, problems: ProblemLog) {
        self.table = table
        self.section = section
        self.location = location
        self.problems = problems
        reportUnknownKeys()
    }

    /// The key's value; its default when absent or invalid.
    func value(_ name: String) -> ConfigValue {
        let spec = spec(name)
        guard let defaultValue = spec.defaultValue, let fallback = spec.kind.convert(defaultValue.tomlValue) else {
            preconditionFailure("\(section.rawValue).\(name) has no valid default")
        }
        return read(spec) ?? fallback
    }

    /// The key's value; nil when absent (logged if required) or invalid (logged).
    func optionalValue(_ name: String) -> ConfigValue? { read(spec(name)) }

    /// The value as written, for messages that compare keys.
    func written(_ name: String) -> String { table[name].map(render) ?? spec(name).defaultValue?.tomlText ?? "nothing" }

    /// A child table; an empty one when absent, so every key reads as its default.
    func table(_ child: ConfigSection) -> TableReader {
        presentTable(child) ?? TableReader(TOMLTable(), section: child, location: location.child(child.nameInParent), problems: problems)
    }

    /// A child table, if the file has it.
    func presentTable(_ child: ConfigSection) -> TableReader? {
        guard let raw = table[child.nameInParent] else { return nil }
        guard let childTable = raw.table else {
            problems.add(location.describe(child.nameInParent) + " expects a table (got \(render(raw)))",
                         at: [location.path.appending(child.nameInParent)])
            return nil
        }
        return TableReader(childTable, section: child, location: location.child(child.nameInParent), problems: problems)
    }

    /// The entries of a `[[child]]` array of tables, with their index in the file.
    func entries(_ child: ConfigSection) -> [(index: Int, table: TOMLTable)] {
        let name = child.nameInParent
        guard let raw = table[name] else { return [] }
        guard let array = raw.array else {
            problems.add("\(location.describe(name)) expects an array of tables, written [[\(name)]] (got \(render(raw)))",
                         at: [location.path.appending(name)])
            return []
        }
        return array.enumerated().compactMap { index, element in
            guard let entry = element.table else {
                problems.add("\(location.describe(name))[\(index)] expects a table (got \(render(element)))",
                             at: [location.path.appending(name).appending(index: index)])
                return nil
            }
            return (index, entry)
        }
    }

    /// A problem of `key`; one found by comparing it with `otherKey` names the other's line when `key`
    /// itself is not written (a defaulted timeout above a written interval).
    func report(_ key: String, _ message: String, comparedWith otherKey: String? = nil) {
        let paths = [key, otherKey].compactMap { $0 }.map { location.path.appending($0) }
        problems.add(location.describe(key) + " " + message, at: paths)
    }

    private func read(_ spec: KeySpec) -> ConfigValue? {
        guard let raw = table[spec.name] else {
            if case .required = spec.presence { report(spec.name, "is required") }
            return nil
        }
        guard let value = spec.kind.convert(raw) else {
            report(spec.name, "expects \(spec.kind.expectation(example: spec.defaultValue?.tomlText)) (got \(render(raw)))")
            return nil
        }
        return value
    }

    private func spec(_ name: String) -> KeySpec {
        guard let spec = ConfigSchema.keys(in: section).first(where: { $0.name == name }) else {
            preconditionFailure("\(section.rawValue).\(name) is not declared in ConfigSchema")
        }
        return spec
    }

    private func reportUnknownKeys() {
        let known = ConfigSchema.keys(in: section).map(\.name) + section.children.map(\.nameInParent)
        for key in table.keys where !known.contains(key) {
            problems.add("\(location.entryPrefix)unknown key \(location.keyPrefix)\(key)\(suggestion(for: key, known: known))",
                         at: [location.path.appending(key)])
        }
    }

    /// A close key of this table, else the table where a key of that exact name lives.
    private func suggestion(for key: String, known: [String]) -> String {
        if let match = closestMatch(to: key, among: known) {
            return " (did you mean \(location.keyPrefix)\(match)?)"
        }
        if let elsewhere = ConfigSchema.keys.first(where: { $0.name == key }) {
            let header = elsewhere.section.isArrayOfTables ? "[[\(elsewhere.section.rawValue)]]" : "[\(elsewhere.section.rawValue)]"
            return " (\(key) belongs in \(header))"
        }
        return ""
    }
}

extension DefaultValue {
    var tomlValue: TOMLValueConvertible {
        switch self {
        case .boolean(let value): value
        case .integer(let value): value
        case .string(let value): value
        case .strings(let values): TOMLArray(values)
        }
    }
}

/// Typed reads; the kind declared in `ConfigSchema` decides which one applies to a key.
extension TableReader {
    func boolean(_ name: String) -> Bool { typed(value(name).boolean, name) }
    func integer(_ name: String) -> Int { typed(value(name).integer, name) }
    func duration(_ name: String) -> Duration { typed(value(name).duration, name) }
    func text(_ name: String) -> String { typed(value(name).text, name) }
    func endpoint(_ name: String) -> EndpointAddress { typed(value(name).endpoint, name) }
    func endpoints(_ name: String) -> [EndpointAddress] { typed(value(name).endpoints, name) }
    func strings(_ name: String) -> [String] { typed(value(name).strings, name) }
    func sticky(_ name: String) -> StickyKey { typed(value(name).sticky, name) }

    func optionalText(_ name: String) -> String? { optionalValue(name).map { typed($0.text, name) } }
    func optionalEndpoint(_ name: String) -> EndpointAddress? { optionalValue(name).map { typed($0.endpoint, name) } }
    func optionalEndpoints(_ name: String) -> [EndpointAddress]? { optionalValue(name).map { typed($0.endpoints, name) } }
    func optionalStrings(_ name: String) -> [String]? { optionalValue(name).map { typed($0.strings, name) } }
    func optionalHostPattern(_ name: String) -> HostPattern? { optionalValue(name).map { typed($0.hostPattern, name) } }
    func optionalHostPatterns(_ name: String) -> [HostPattern]? { optionalValue(name).map { typed($0.hostPatterns, name) } }
    func optionalSubscribe(_ name: String) -> SubscribeMode? { optionalValue(name).map { typed($0.subscribe, name) } }
    func webSocketMode(_ name: String) -> WebSocketMode { typed(value(name).webSocketMode, name) }
    func optionalAlgorithms(_ name: String) -> [JWTAlgorithm]? { optionalValue(name).map { typed($0.algorithms, name) } }
    func optionalRedis(_ name: String) -> RedisAddress? { optionalValue(name).map { typed($0.redis, name) } }
    func tokenSources(_ name: String) -> [TokenSource] { typed(value(name).tokenSources, name) }

    private func typed<Value>(_ value: Value?, _ name: String) -> Value {
        guard let value else { preconditionFailure("\(section.rawValue).\(name) is read as another kind than declared") }
        return value
    }
}
