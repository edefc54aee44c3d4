import Config

/// What every worker reported, summed: the data behind /status and /metrics.
struct ProxySnapshot: Equatable {
    struct PoolUsage: Equatable {
        var idle = 0
        var busy = 0
        /// Connections the backend may get from all live workers: max_connections of each.
        var max = 0
        /// WebSocket tunnels, each on a connection of its own beside the pool.
        var tunnels = 0
    }

    /// One live worker: its configuration, and its latest stats if it ever answered.
    struct WorkerReport {
        var config: ProxyConfig
        var stats: WorkerStats?
    }

    var workers = 0
    var clientConnections = 0
    var heldResponses = 0
    var heldStreams = 0
    var heldSSE = 0
    var heldWebSockets = 0
    var channelSketch = ChannelSketch()
    /// Distinct channels over all workers.
    var channels: Int { channelSketch.estimate }
    var subscribers = 0
    var tlsHeapBytes = 0
    /// Keyed by backend name, which stays stable across reloads where indexes do not.
    var pools: [String: PoolUsage] = [:]
    var counters = CounterTotals()

    var heldTotal: Int { heldResponses + heldStreams + heldSSE + heldWebSockets }

    /// Sums the live workers' reports; `departed` holds the final counters of workers that have exited,
    /// so that counters never go backwards when a worker dies or retires.
    init(live: [WorkerReport], departed: CounterTotals) {
        workers = live.count
        counters = departed
        for report in live {
            for backend in report.config.backends {
                pools[backend.name, default: PoolUsage()].max += backend.maxConnections
            }
            guard let stats = report.stats else { continue }
            clientConnections += stats.clientConnections
            heldResponses += stats.heldResponses
            heldStreams += stats.heldStreams
            heldSSE += stats.heldSSE
            heldWebSockets += stats.heldWebSockets
            channelSketch.merge(stats.channelSketch)
            subscribers += stats.subscribers
            tlsHeapBytes += stats.tlsHeapBytes
            for (index, backend) in report.config.backends.enumerated() {
                pools[backend.name]!.idle += stats.poolIdle.indices.contains(index) ? stats.poolIdle[index] : 0
                pools[backend.name]!.busy += stats.poolBusy.indices.contains(index) ? stats.poolBusy[index] : 0
                pools[backend.name]!.tunnels += stats.tunnels.indices.contains(index) ? stats.tunnels[index] : 0
            }
            counters.add(CounterTotals(stats: stats, config: report.config))
        }
    }
}
