import Glibc

/// Which channels have subscribers in some worker of this instance: the ones it must be subscribed to in
/// Redis. Workers report a channel when its first local subscriber arrives and when its last one leaves;
/// a worker that exits takes its channels with it.
struct ClusterChannels {
    private var byWorker: [pid_t: Set<String>] = [:]
    private var workerCounts: [String: Int] = [:]

    var active: Dictionary<String, Int>.Keys { workerCounts.keys }

    func isActive(_ channel: String) -> Bool { workerCounts[channel] != nil }

    /// True when the channel had no subscribers on this instance before.
    mutating func add(_ channel: String, worker: pid_t) -> Bool {
        guard byWorker[worker, default: []].insert(channel).inserted else { return false }
        workerCounts[channel, default: 0] += 1
        return workerCounts[channel] == 1
    }

    /// True when the channel has no subscribers on this instance any more.
    mutating func remove(_ channel: String, worker: pid_t) -> Bool {
        guard byWorker[worker]?.remove(channel) != nil else { return false }
        return release(channel)
    }

    /// The channels that lost their last subscriber with this worker.
    mutating func removeWorker(_ worker: pid_t) -> [String] {
        guard let channels = byWorker.removeValue(forKey: worker) else { return [] }
        return channels.filter { release($0) }
    }

    private mutating func release(_ channel: String) -> Bool {
        let left = (workerCounts[channel] ?? 1) - 1
        workerCounts[channel] = left > 0 ? left : nil
        return left == 0
    }
}
