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
}
