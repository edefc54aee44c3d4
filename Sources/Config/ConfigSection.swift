/// The tables of the file. Each key of `ConfigSchema.keys` belongs to one of them.
enum ConfigSection: String, CaseIterable, Sendable {
    case root = ""
    case server, serverTLS = "server.tls", serverTLSSNI = "server.tls.sni", timeouts, control, grip, channels, cors
    case websocket
    case backend, backendHealth = "backend.health"
    case route, routeCORS = "route.cors"
    case auth
    case cluster

    var parent: ConfigSection? {
        switch self {
        case .root: nil
        case .serverTLS: .server
        case .serverTLSSNI: .serverTLS
        case .backendHealth: .backend
        case .routeCORS: .route
        default: .root
        }
    }

    /// The key naming this table inside its parent (`tls` for `[server.tls]`).
    var nameInParent: String { String(rawValue.split(separator: ".").last ?? "") }

    /// `[[backend]]`, `[[route]]`, `[[auth]]` and `[[server.tls.sni]]` repeat; every other table appears at most once.
    var isArrayOfTables: Bool { self == .backend || self == .route || self == .auth || self == .serverTLSSNI }

    var children: [ConfigSection] { ConfigSection.allCases.filter { $0.parent == self } }
}
