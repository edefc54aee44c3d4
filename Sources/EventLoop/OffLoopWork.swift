import CLibevent
import Dispatch
import Glibc
import Synchronization

/// Runs pure, CPU-heavy work (parsing a multi-megabyte publish) on a background thread and hands each
/// result back on the loop, so the loop goes on serving health checks, worker links and other
/// requests meanwhile. One serial thread: such work never takes more than one core from the workers.
public final class OffLoopWork {
    /// What the background thread touches: finished results and the pipe that wakes the loop.
    private final class Mailbox: Sendable {
        let finished = Mutex<[(id: UInt64, result: any Sendable)]>([])
        let wakeFD: Int32

        init(wakeFD: Int32) { self.wakeFD = wakeFD }

        func post(id: UInt64, result: any Sendable) {
            finished.withLock { $0.append((id, result)) }
            var byte: UInt8 = 1
            // A full pipe already holds a wake-up: losing this byte loses nothing.
            _ = Glibc.write(wakeFD, &byte, 1)
        }
    }

    private let queue = DispatchQueue(label: "holdfast.off-loop-work")
    private let mailbox: Mailbox
    private let readFD: Int32
    private var event: UnsafeMutablePointer<event>?
    private var completions: [UInt64: (any Sendable) -> Void] = [:]
    private var lastID: UInt64 = 0

    public init(base: EventBase) throws(SocketError) {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw SocketError(operation: "pipe", errno: errno) }
        // Made on the loop's thread, like every spawn, so no child can inherit them before this.
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        readFD = fds[0]
        mailbox = Mailbox(wakeFD: fds[1])
        event = event_new(base.raw, readFD, Int16(EV_READ | EV_PERSIST), Self.callback, Unmanaged.passUnretained(self).toOpaque())
        event_add(event, nil)
    }

    deinit {
        if let event { event_free(event) }
        Glibc.close(readFD)
        Glibc.close(mailbox.wakeFD)
    }

    /// Runs `work` off the loop, then `completion` with its result on the loop.
    public func run<Output: Sendable>(_ work: @escaping @Sendable () -> Output, then completion: @escaping (Output) -> Void) {
        lastID += 1
        let id = lastID
        completions[id] = { completion($0 as! Output) }
        let mailbox = self.mailbox
        queue.async { mailbox.post(id: id, result: work()) }
    }

    private static let callback: event_callback_fn = { _, _, arg in
        let work = Unmanaged<OffLoopWork>.fromOpaque(arg!).takeUnretainedValue()
        withExtendedLifetime(work) { work.deliverFinished() }
    }

    private func deliverFinished() {
        var drain = [UInt8](repeating: 0, count: 64)
        while Glibc.read(readFD, &drain, drain.count) > 0 {}
        let finished = mailbox.finished.withLock { results in
            defer { results = [] }
            return results
        }
        for (id, result) in finished {
            completions.removeValue(forKey: id)?(result)
        }
    }
}
