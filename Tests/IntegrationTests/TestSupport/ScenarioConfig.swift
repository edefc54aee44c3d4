/// A TOML value written into a scenario's configuration file.
enum TOMLValue: ExpressibleByStringInterpolation, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral {
    case string(String)
    case integer(Int)
    case boolean(Bool)
    case array([TOMLValue])

    init(stringLiteral value: String) { self = .string(value) }
    init(integerLiteral value: Int) { self = .integer(value) }
    init(booleanLiteral value: Bool) { self = .boolean(value) }
    init(arrayLiteral elements: TOMLValue...) { self = .array(elements) }

    var toml: String {
        switch self {
        case .string(let text):
            "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        case .integer(let number):
            String(number)
        case .boolean(let value):
            String(value)
        case .array(let elements):
            "[" + elements.map(\.toml).joined(separator: ", ") + "]"
        }
    }
}

/// The inline configuration of one scenario: the keys a test sets, on top of Holdfast's defaults.
/// The listen and control addresses are filled in by `Holdfast` with free ports.
struct ScenarioConfig {
    struct Backend {
        var name: String
        var port: UInt16
        var settings: [String: TOMLValue] = [:]
        var health: [String: TOMLValue] = [:]
    }

    var server: [String: TOMLValue] = ["workers": 1]
    /// `[server.tls]` besides `listen` (filled in with a free port), when set.
    var tls: [String: TOMLValue]?
    var sni: [[String: TOMLValue]] = []
    var timeouts: [String: TOMLValue] = [:]
    /// Keys of `[control]` besides `listen`.
    var control: [String: TOMLValue] = [:]
    var grip: [String: TOMLValue] = [:]
    var channels: [String: TOMLValue] = [:]
    var cors: [String: TOMLValue] = [:]
    var websocket: [String: TOMLValue] = [:]
    var cluster: [String: TOMLValue] = [:]
    var backends: [Backend]
    var routes: [[String: TOMLValue]]
    var auths: [[String: TOMLValue]] = []
    /// `[route.cors]` tables, by the index of their route.
    var routeCORS: [Int: [String: TOMLValue]] = [:]

    /// One backend named "app" behind a catch-all route.
    init(backendPort: UInt16) {
        backends = [Backend(name: "app", port: backendPort)]
        routes = [["path_prefix": "/", "backends": ["app"]]]
    }

    /// Settings of the first backend.
    var backend: Backend {
        get { backends[0] }
        set { backends[0] = newValue }
    }

    func render(listenPort: UInt16, tlsPort: UInt16 = 0, controlPort: UInt16) -> String {
        var server = server
        server["listen"] = ["127.0.0.1:\(listenPort)"]
        var text = Self.table("[server]", server)
        if var tls {
            tls["listen"] = "127.0.0.1:\(tlsPort)"
            text += Self.table("[server.tls]", tls)
            for entry in sni { text += Self.table("[[server.tls.sni]]", entry) }
        }
        text += Self.table("[timeouts]", timeouts)
        var control = control
        control["listen"] = "127.0.0.1:\(controlPort)"
        text += Self.table("[control]", control)
        if !grip.isEmpty { text += Self.table("[grip]", grip) }
        if !channels.isEmpty { text += Self.table("[channels]", channels) }
        if !cors.isEmpty { text += Self.table("[cors]", cors) }
        if !websocket.isEmpty { text += Self.table("[websocket]", websocket) }
        if !cluster.isEmpty { text += Self.table("[cluster]", cluster) }
        for backend in backends {
            var settings = backend.settings
            settings["name"] = .string(backend.name)
            settings["address"] = .string("127.0.0.1:\(backend.port)")
            text += Self.table("[[backend]]", settings)
            if !backend.health.isEmpty { text += Self.table("[backend.health]", backend.health) }
        }
        for (index, route) in routes.enumerated() {
            text += Self.table("[[route]]", route)
            if let cors = routeCORS[index] { text += Self.table("[route.cors]", cors) }
        }
        for auth in auths { text += Self.table("[[auth]]", auth) }
        return text
    }

    private static func table(_ header: String, _ keys: [String: TOMLValue]) -> String {
        ([header] + keys.sorted { $0.key < $1.key }.map { "\($0.key) = \($0.value.toml)" }).joined(separator: "\n") + "\n\n"
    }
}
