import Glibc

/// The per-process open-file limit: each worker holds one descriptor per client and upstream connection.
enum FileLimit {
    /// Raises the soft RLIMIT_NOFILE to the hard limit; returns the soft limit in force afterwards.
    static func raiseToHardLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 0 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        return Int(clamping: limit.rlim_cur)
    }

    /// Descriptors a worker keeps for things other than client connections (listeners, link, pools, logs).
    static let reservedPerWorker = 64

    /// How many client connections all workers together can hold, given the per-process limit.
    static func clientCapacity(workers: Int, perProcessLimit: Int, upstreamPerWorker: Int) -> Int {
        let perWorker = max(0, perProcessLimit - reservedPerWorker - upstreamPerWorker)
        let (total, overflow) = perWorker.multipliedReportingOverflow(by: workers)
        return overflow ? Int.max : total
    }

    /// Descriptors the master needs whatever else it holds: standard streams, the event loop's own,
    /// the control listener and its replacement at a reload, the file being reloaded, name lookups,
    /// and a margin.
    static let masterBaseline = 32

    /// What the master keeps out of the control listener's reach: a link per worker alive, a whole
    /// new generation's links (a reload, respawns) plus the spare end of the one being spawned, a
    /// health check in flight per backend, and each listening socket twice (a reload opens new ones
    /// before closing old ones).
    static func masterReserve(workersAlive: Int, workersPerGeneration: Int, backends: Int, listeningSockets: Int) -> Int {
        masterBaseline + workersAlive + workersPerGeneration + 1 + backends + 2 * listeningSockets
    }

    /// `control.max_connections`, lowered when the open-file limit could not also hold the reserve;
    /// at least one, so /healthz can always be reached.
    static func controlCapacity(configured: Int, perProcessLimit: Int, reserve: Int) -> Int {
        max(1, min(configured, perProcessLimit - reserve))
    }
}
