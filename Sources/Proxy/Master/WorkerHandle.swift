import Config
import EventLoop
import Glibc

/// The configuration a set of workers was started with: one per start or successful reload.
final class WorkerGeneration {
    let number: Int
    let config: ProxyConfig
    /// The file as read when it was loaded; workers parse this very text.
    let configText: String
    /// `[server.tls]`'s certificates as the master read and checked them; workers get these bytes.
    let certificates: [CertificatePEM]

    init(number: Int, config: ProxyConfig, configText: String, certificates: [CertificatePEM]) {
        self.number = number
        self.config = config
        self.configText = configText
        self.certificates = certificates
    }
}

/// The master's view of one worker process.
final class WorkerHandle {
    enum Phase {
        /// Accepting and serving; replaced if it dies.
        case serving
        /// Told to stop accepting after a reload; exits when its connections are gone. Never replaced.
        case retiring
        /// Told to drain for shutdown.
        case draining
    }

    let pid: pid_t
    /// Which of its generation's worker places it fills (a replacement takes the same slot).
    let slot: Int
    let generation: WorkerGeneration
    let link: FrameLink
    let startedAt = ContinuousClock.now
    var phase = Phase.serving
    /// The latest stats it sent; its counters are kept once it is gone.
    var lastStats: WorkerStats?

    init(pid: pid_t, slot: Int, generation: WorkerGeneration, link: FrameLink) {
        self.pid = pid
        self.slot = slot
        self.generation = generation
        self.link = link
    }

    var isReachable: Bool { link.socket.isOpen }

    /// False when the link is gone (the worker is exiting).
    @discardableResult
    func send(_ frame: MasterFrame) -> Bool {
        link.send(frame.encoded())
    }
}
