/// The JSON bodies of backend.py's endpoints.

/// GET /__stats. Connections count from their first request that is not /health or /__*,
/// so health checks and the tests' own calls do not disturb the pool-width figures.
struct BackendStats: Decodable {
    var connectionsNow: Int
    var connectionsMax: Int
    var requests: Int
    /// WebSocket connections /ws holds open.
    var websocketsNow: Int
}

/// One entry of GET /__log.
struct LoggedRequest: Decodable, ReceivedHeaders {
    var method: String
    var path: String
    var headers: [[String]]
    /// A WebSocket-over-HTTP request's events, as "OPEN", "TEXT hi", "CLOSE 1000".
    var events: [String]?
}

/// The body of /echo: the request as the backend received it (chunked bodies decoded).
struct EchoReply: Decodable, ReceivedHeaders {
    var method: String
    var path: String
    var headers: [[String]]
    var body: String
    var backend: String
    var connection: Int
}

/// A request's header fields as the backend received them, `[name, value]` pairs.
protocol ReceivedHeaders {
    var headers: [[String]] { get }
}

extension ReceivedHeaders {
    /// The values of header `name` (case-insensitive), in arrival order.
    func values(of name: String) -> [String] {
        headers.filter { $0.first?.lowercased() == name.lowercased() }.compactMap { $0.last }
    }

    func header(_ name: String) -> String? { values(of: name).first }
}
