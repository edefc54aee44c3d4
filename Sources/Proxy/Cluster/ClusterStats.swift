/// Why a publish did not go through Redis: answered 503, nothing was delivered.
struct ClusterError: Error {
    var reason: String
}

/// For /metrics.
struct ClusterStats {
    struct Connection {
        var role: String
        var isUp: Bool
        var reconnects: Int
    }

    var connections: [Connection]
    var messagesIn: Int
    var messagesOut: Int
}
