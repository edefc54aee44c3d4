import EventLoop
import Prometheus

/// Renders /metrics in the Prometheus text format.
enum MetricsText {
    /// A fresh registry per scrape: gauges then carry only label sets that exist now (a backend removed
    /// by a reload disappears), and counters are created at 0 and incremented by their running totals.
    /// Those totals are kept monotonic by the master (dead and retired workers' last counts are kept in
    /// `ProxySnapshot.counters`), so every scrape shows a counter that never goes backwards.
    static func render(snapshot: ProxySnapshot, backends: [BackendStatus], messagesPublished: Int,
                       control: ControlConnectionUsage, cluster: ClusterStats? = nil) -> String {
        let registry = PrometheusCollectorRegistry()
        func gauge(_ name: String, _ help: String, _ labels: [(String, String)], _ value: Int) {
            registry.makeGauge(descriptor: descriptor(name, help), labels: labels).set(Int64(value))
        }
        func counter(_ name: String, _ help: String, _ labels: [(String, String)], _ value: Int) {
            registry.makeCounter(descriptor: descriptor(name, help), labels: labels).increment(by: Int64(value))
        }

        gauge("holdfast_client_connections", "Open client connections.", [], snapshot.clientConnections)
        gauge("holdfast_tls_heap_bytes", "Memory OpenSSL's own heap has mapped in the TLS workers: handshakes in flight, "
              + "TLS 1.2 connections, certificates, and empty slabs until the next sweep.", [], snapshot.tlsHeapBytes)
        gauge("holdfast_control_connections", "Open connections to the control listener.", [], control.open)
        gauge("holdfast_control_connections_max", "Control connections accepted at once (control.max_connections, "
              + "lowered by the open-file limit).", [], control.capacity)
        let held = [("response", snapshot.heldResponses), ("stream", snapshot.heldStreams), ("sse", snapshot.heldSSE),
                    ("websocket", snapshot.heldWebSockets)]
        for (kind, count) in held {
            gauge("holdfast_held_connections", "Client connections held open for publishes.", [("kind", kind)], count)
        }
        for backend in backends {
            gauge("holdfast_backend_up", "Whether health checks deem the backend up (1) or down (0).",
                  [("backend", backend.name)], backend.isUp ? 1 : 0)
            let pool = snapshot.pools[backend.name] ?? ProxySnapshot.PoolUsage()
            for (state, count) in [("idle", pool.idle), ("busy", pool.busy)] {
                gauge("holdfast_upstream_connections", "Pooled connections to the backend.",
                      [("backend", backend.name), ("state", state)], count)
            }
            gauge("holdfast_tunnels", "WebSocket tunnels to the backend, each on a connection of its own.",
                  [("backend", backend.name)], pool.tunnels)
        }
        let requestsHelp = "Client requests answered, by route and status code."
        for (labels, count) in snapshot.counters.requests.sorted(by: { ($0.key.route, $0.key.code) < ($1.key.route, $1.key.code) }) {
            counter("holdfast_requests_total", requestsHelp, [("route", labels.route), ("code", String(labels.code))], count)
        }
        counter("holdfast_messages_published_total", "Items published through the control listener.", [], messagesPublished)
        counter("holdfast_messages_delivered_total", "Messages delivered to subscribers.", [], snapshot.counters.messagesDelivered)
        // Every known label is present from the start, so a rate() over it reads 0, not "no data".
        let dropped = snapshot.counters.subscribersDropped.merging(DropReason.allCases.map { ($0.rawValue, 0) }) { count, _ in count }
        for (reason, count) in dropped.sorted(by: { $0.key < $1.key }) {
            counter("holdfast_subscribers_dropped_total", "Subscribers disconnected by the proxy.", [("reason", reason)], count)
        }
        let timeouts = snapshot.counters.timeouts.merging(TimeoutKind.allCases.map { ($0.rawValue, 0) }) { count, _ in count }
        for (kind, count) in timeouts.sorted(by: { $0.key < $1.key }) {
            counter("holdfast_timeouts_total", "Timeouts, by kind.", [("kind", kind)], count)
        }
        let handshakes = snapshot.counters.tlsHandshakeFailures.merging(TLSHandshakeFailure.allCases.map { ($0.rawValue, 0) }) { count, _ in count }
        for (reason, count) in handshakes.sorted(by: { $0.key < $1.key }) {
            counter("holdfast_tls_handshake_failures_total", "TLS handshakes that did not finish, by reason.", [("reason", reason)], count)
        }
        let finished = snapshot.counters.tlsHandshakes.merging(TLSRecordKeeper.allCases.map { ($0.rawValue, 0) }) { count, _ in count }
        for (keeper, count) in finished.sorted(by: { $0.key < $1.key }) {
            counter("holdfast_tls_handshakes_total", "TLS handshakes finished, by what protects the connection's records afterwards "
                    + "(holdfast: TLS 1.3, OpenSSL's state freed; openssl: TLS 1.2).", [("records", keeper)], count)
        }
        for direction in ["in", "out"] {
            counter("holdfast_websocket_frames_total", "WebSocket frames read from (in) and written to (out) the clients "
                    + "Holdfast serves itself (not tunnels).", [("direction", direction)], snapshot.counters.webSocketFrames[direction] ?? 0)
            counter("holdfast_websocket_bytes_total", "Bytes of those WebSocket frames.", [("direction", direction)],
                    snapshot.counters.webSocketBytes[direction] ?? 0)
        }
        for (code, count) in snapshot.counters.webSocketCloses.sorted(by: { $0.key < $1.key }) {
            counter("holdfast_websocket_closes_total", "WebSocket close frames Holdfast sent, by close code.", [("code", code)], count)
        }
        if let cluster {
            for connection in cluster.connections {
                gauge("holdfast_redis_up", "Whether the Redis connection is up (1) or down (0).", [("connection", connection.role)],
                      connection.isUp ? 1 : 0)
                counter("holdfast_redis_reconnects_total", "Redis connections made again after a loss.", [("connection", connection.role)],
                        connection.reconnects)
            }
            let messagesHelp = "Items published into Redis (out) and received from other instances and producers (in)."
            counter("holdfast_redis_messages_total", messagesHelp, [("direction", "in")], cluster.messagesIn)
            counter("holdfast_redis_messages_total", messagesHelp, [("direction", "out")], cluster.messagesOut)
        }
        return registry.emitToString()
    }

    private static func descriptor(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: nil, subsystem: nil, metricName: name, unitName: "", helpText: help)
    }
}
