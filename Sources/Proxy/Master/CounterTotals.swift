import Config

/// The counters of /metrics, keyed by label values rather than configuration indexes: workers of
/// different generations (before and after a reload) number their routes differently.
struct CounterTotals: Equatable {
    struct RequestLabels: Hashable {
        var route: String
        var code: Int
    }

    var requests: [RequestLabels: Int] = [:]
    var messagesDelivered = 0
    var subscribersDropped: [String: Int] = [:]
    var timeouts: [String: Int] = [:]
    var tlsHandshakeFailures: [String: Int] = [:]
    var tlsHandshakes: [String: Int] = [:]
    /// WebSocket frames and bytes, keyed by direction ("in", "out"), and close frames sent by code.
    var webSocketFrames: [String: Int] = [:]
    var webSocketBytes: [String: Int] = [:]
    var webSocketCloses: [String: Int] = [:]

    init() {}

    /// The counters of one worker's stats, labelled with that worker's configuration.
    init(stats: WorkerStats, config: ProxyConfig) {
        for (key, count) in stats.requests {
            requests[RequestLabels(route: RouteLabel.label(forRoute: key.route, in: config), code: key.status), default: 0] += count
        }
        messagesDelivered = stats.messagesDelivered
        subscribersDropped = stats.subscribersDropped
        timeouts = stats.timeouts
        tlsHandshakeFailures = stats.tlsHandshakeFailures
        tlsHandshakes = stats.tlsHandshakes
        webSocketFrames = ["in": stats.webSocketFramesIn, "out": stats.webSocketFramesOut]
        webSocketBytes = ["in": stats.webSocketBytesIn, "out": stats.webSocketBytesOut]
        webSocketCloses = stats.webSocketCloses
    }

    mutating func add(_ other: CounterTotals) {
        requests.merge(other.requests, uniquingKeysWith: +)
        messagesDelivered += other.messagesDelivered
        subscribersDropped.merge(other.subscribersDropped, uniquingKeysWith: +)
        timeouts.merge(other.timeouts, uniquingKeysWith: +)
        tlsHandshakeFailures.merge(other.tlsHandshakeFailures, uniquingKeysWith: +)
        tlsHandshakes.merge(other.tlsHandshakes, uniquingKeysWith: +)
        webSocketFrames.merge(other.webSocketFrames, uniquingKeysWith: +)
        webSocketBytes.merge(other.webSocketBytes, uniquingKeysWith: +)
        webSocketCloses.merge(other.webSocketCloses, uniquingKeysWith: +)
    }
}
