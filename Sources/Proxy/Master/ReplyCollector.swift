import EventLoop
import Glibc

/// Gathers one reply per worker to a request the master fanned out (a publish, a stats request),
/// and completes when all have answered, when the ones left have exited, or at the timeout,
/// whichever comes first. Workers that did not answer are simply missing from the replies.
final class ReplyCollector<Reply> {
    private var waiting: Set<pid_t>
    private(set) var replies: [pid_t: Reply] = [:]
    private var completion: (([pid_t: Reply]) -> Void)?
    private let base: EventBase
    private lazy var timer = Timer(base: base) { [unowned self] in finish() }

    init(base: EventBase, waitingFor workers: Set<pid_t>, timeout: Duration, completion: @escaping ([pid_t: Reply]) -> Void) {
        self.base = base
        waiting = workers
        self.completion = completion
        timer.schedule(after: timeout)
    }

    var isFinished: Bool { completion == nil }

    func receive(_ reply: Reply, from pid: pid_t) {
        guard waiting.remove(pid) != nil else { return }
        replies[pid] = reply
        if waiting.isEmpty { finish() }
    }

    func workerGone(_ pid: pid_t) {
        guard waiting.remove(pid) != nil else { return }
        if waiting.isEmpty { finish() }
    }

    private func finish() {
        timer.cancel()
        guard let completion else { return }
        self.completion = nil
        completion(replies)
    }
}
