import GRIP
/// The JSON answer of `GET /status` (docs/operations.md).
enum StatusDocument {
    static func render(version: String, uptimeSeconds: Int, snapshot: ProxySnapshot, backends: [BackendStatus]) -> String {
        let backendObjects = backends.map { backend in
            let pool = snapshot.pools[backend.name] ?? ProxySnapshot.PoolUsage()
            return JSONText.object([
                ("name", JSONText.quoted(backend.name)),
                ("up", backend.isUp ? "true" : "false"),
                ("pool", JSONText.object([("idle", String(pool.idle)), ("busy", String(pool.busy)), ("max", String(pool.max))])),
                ("tunnels", String(pool.tunnels)),
            ])
        }
        return JSONText.object([
            ("version", JSONText.quoted(version)),
            ("uptime_seconds", String(uptimeSeconds)),
            ("workers", String(snapshot.workers)),
            ("connections", JSONText.object([("clients", String(snapshot.clientConnections)), ("held", String(snapshot.heldTotal))])),
            ("backends", JSONText.array(backendObjects)),
            ("channels", String(snapshot.channels)),
            ("subscribers", String(snapshot.subscribers)),
        ]) + "\n"
    }
}
