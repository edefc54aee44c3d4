import Config
import EventLoop
import GRIP
import Glibc
import Logging

/// A worker process: one event loop, no threads, no locks. It accepts clients on the listening
/// sockets it inherited, serves them until they leave, and takes orders from the master over its link.
public final class Worker {
    private let base = EventBase()
    private let linkFD: Int32
    private let listenFDs: [Int32]
    /// Inherited listening sockets whose clients speak TLS (`[server.tls]`).
    private let tlsListenFDs: [Int32]
    private var tlsAcceptor: TLSAcceptor?
    private let logger: Logger
    private var link: FrameLink?
    private var runtime: WorkerRuntime?
    private var listeners: [Listener] = []
    private var signalWatchers: [SignalWatcher] = []
    private var maxSessions = Int.max
    private var isAcceptPaused = false
    /// History requests sent to the master, by id.
    private var pendingHistory: [UInt64: ([PublishItem]) -> Void] = [:]
    private var lastHistoryID: UInt64 = 0
    private lazy var sweepTimer = Timer(base: base) { [unowned self] in
        self.runtime?.hub.sweep(now: self.base.nowMilliseconds)
        // A burst of requests leaves freed head and body buffers between long-lived held clients;
        // hand whole free pages back to the kernel so an idle worker's footprint is what it holds.
        releaseFreeMemory()
    }
    private lazy var drainDeadline = Timer(base: base) { [unowned self] in
        self.logger.warning("drain time is up; closing the remaining connections", metadata: ["open": "\(self.runtime?.sessions.count ?? 0)"])
        self.base.stop()
    }

    public init(linkFD: Int32, listenFDs: [Int32], tlsListenFDs: [Int32], logger: Logger) {
        self.linkFD = linkFD
        self.listenFDs = listenFDs
        self.tlsListenFDs = tlsListenFDs
        self.logger = logger
    }

    public func run() -> Int32 {
        signal(SIGPIPE, SIG_IGN)
        // The master decides about reloads and shutdowns; a terminal's ^C reaches the whole group.
        signal(SIGINT, SIG_IGN)
        signal(SIGHUP, SIG_IGN)
        if !tlsListenFDs.isEmpty && !giveOpenSSLItsOwnHeap() {
            logger.warning("OpenSSL was in use before its own heap could be set up; it shares the process heap")
        }
        signalWatchers.append(SignalWatcher(base: base, signal: SIGTERM) { [unowned self] in self.windDown(drain: true) })
        link = FrameLink(base: base, fd: linkFD, onFrame: { [unowned self] in self.handle($0) }, onClose: { [unowned self] in
            // Without a master nobody will publish or supervise: finish what is open and leave.
            self.windDown(drain: true)
        })
        base.run()
        return 0
    }

    private func handle(_ bytes: [UInt8]) {
        let frame: MasterFrame
        do {
            frame = try MasterFrame(decoding: bytes)
        } catch {
            logger.error("undecodable frame from master", metadata: ["error": "\(error.reason)"])
            return
        }
        switch frame {
        case let .configure(fileName, text, backendsUp, certificates):
            configure(fileName: fileName, text: text, backendsUp: backendsUp, certificates: certificates)
        case let .publish(firstID, batches):
            guard let runtime else { return }
            let delivered = batches.enumerated().map { offset, encoded in
                publish(encoded, id: firstID + UInt64(offset), with: runtime)
            }
            link?.send(WorkerFrame.publishAck(firstID: firstID, delivered: delivered).encoded())
        case let .backendHealth(up):
            runtime?.setBackendHealth(up)
        case let .statsRequest(id):
            var stats = runtime?.snapshot() ?? WorkerStats()
            for (reason, count) in tlsAcceptor?.handshakeFailures ?? [:] { stats.tlsHandshakeFailures[reason.rawValue] = count }
            for (keeper, count) in tlsAcceptor?.handshakesFinished ?? [:] { stats.tlsHandshakes[keeper.rawValue] = count }
            stats.tlsHeapBytes = openSSLHeapBytes()
            link?.send(WorkerFrame.stats(id: id, stats).encoded())
        case .retire:
            windDown(drain: false)
        case .drain:
            windDown(drain: true)
        case let .history(id, encoded):
            guard let completion = pendingHistory.removeValue(forKey: id) else { return }
            do {
                completion(try PublishCodec.decode(encoded))
            } catch {
                logger.error("undecodable history from master", metadata: ["error": "\(error.reason)"])
                completion([])
            }
        }
    }

    /// How many held connections the publish reached (none when it does not decode).
    private func publish(_ encoded: [UInt8], id: UInt64, with runtime: WorkerRuntime) -> Int {
        do {
            let items = try PublishCodec.decode(encoded)
            return runtime.hub.publish(items, publishID: id, now: base.nowMilliseconds)
        } catch {
            logger.error("undecodable publish from master", metadata: ["error": "\(error.reason)"])
            return 0
        }
    }

    private func configure(fileName: String, text: String, backendsUp: [Bool], certificates: [CertificatePEM]) {
        guard runtime == nil else { return }
        let config: ProxyConfig
        var addresses: [SocketAddress] = []
        do {
            config = try ConfigLoader.parse(text, fileName: fileName)
            for backend in config.backends {
                addresses.append(try SocketAddress.resolve(host: backend.address.host, port: backend.address.port))
            }
            // Built from the bytes the master checked, never from the files, which may have changed since.
            if !tlsListenFDs.isEmpty { tlsAcceptor = try TLSAcceptor(config: config, certificates: certificates) }
        } catch {
            logger.critical("worker cannot use its configuration", metadata: ["error": "\(error)"])
            exit(2)
        }
        let runtime = WorkerRuntime(base: base, config: config, backendAddresses: addresses, backendUp: backendsUp, logger: logger)
        // A client that leaves our output unread is waited for as long as an idle one.
        base.writeStallTimeout = config.timeouts.clientIdle
        runtime.reportBackend = { [unowned self] index, succeeded in
            self.link?.send((succeeded ? WorkerFrame.backendSucceeded(index: index) : .backendFailed(index: index)).encoded())
        }
        runtime.onSessionsChanged = { [unowned self] in self.sessionsChanged() }
        if config.cluster.redis != nil {
            // The master subscribes in Redis to the channels that have subscribers in some worker.
            runtime.hub.onChannelActivity = { [unowned self] channel, active in
                self.link?.send((active ? WorkerFrame.channelActive(channel) : .channelIdle(channel)).encoded())
            }
            runtime.requestHistory = { [unowned self] channel, afterID, completion in
                self.lastHistoryID += 1
                guard self.link?.send(WorkerFrame.historyRequest(id: self.lastHistoryID, channel: channel, afterID: afterID).encoded()) == true else {
                    return completion([])
                }
                self.pendingHistory[self.lastHistoryID] = completion
            }
        }
        self.runtime = runtime
        maxSessions = Self.sessionLimit(config)
        for (fd, tls) in listenFDs.map({ ($0, nil) }) + tlsListenFDs.map({ ($0, tlsAcceptor) }) {
            let listener = Listener(base: base, fd: fd, onAccept: { [unowned self] fd, peer in self.accept(fd, peer: peer, tls: tls) },
                                    onError: { [unowned self] error in self.logger.warning("accept failed", metadata: ["error": "\(error)"]) })
            listener.resume()
            listeners.append(listener)
        }
        sweepTimer.schedule(after: .seconds(5), repeating: true)
        logger.info("worker ready", metadata: ["listeners": "\(listeners.count)", "max_connections": "\(maxSessions)"])
    }

    /// This worker's share of `server.max_connections`, within what its open-file limit allows
    /// (leaving room for upstream connections and a few descriptors of our own).
    static func sessionLimit(_ config: ProxyConfig) -> Int {
        let workers = config.server.workers > 0 ? config.server.workers : max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        let share = (config.server.maxConnections + workers - 1) / workers
        var limit = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        let upstreamSlots = config.backends.reduce(0) { $0 + $1.maxConnections }
        let fileLimit = Int(limit.rlim_cur) - upstreamSlots - 32
        return max(1, min(share, fileLimit))
    }

    private func accept(_ fd: Int32, peer: SocketAddress, tls: TLSAcceptor?) {
        guard let runtime, !runtime.isWindingDown else {
            close(fd)
            return
        }
        _ = ClientSession(runtime: runtime, socket: Socket(base: base, fd: fd, tls: tls, peer: peer))
        if runtime.sessions.count >= maxSessions && !isAcceptPaused {
            // At the limit, stop accepting: the kernel queues new clients for the other workers.
            isAcceptPaused = true
            for listener in listeners { listener.pause() }
            logger.warning("connection limit reached; not accepting", metadata: ["limit": "\(maxSessions)"])
        }
    }

    private func sessionsChanged() {
        guard let runtime else { return }
        if runtime.isWindingDown {
            if runtime.sessions.count == 0 { base.stop() }
        } else if isAcceptPaused && runtime.sessions.count < maxSessions * 9 / 10 {
            isAcceptPaused = false
            for listener in listeners { listener.resume() }
        }
    }

    /// Stops accepting. A drain (shutdown) also ends every hold now and gives in-flight requests
    /// `shutdown_drain` to finish; a retirement (reload) lets held clients stay until their hold ends.
    private func windDown(drain: Bool) {
        guard let runtime else {
            base.stop()
            return
        }
        let wasWindingDown = runtime.isWindingDown
        runtime.isWindingDown = true
        for listener in listeners { listener.close() }
        listeners = []
        for pool in runtime.pools { pool.closeIdleConnections() }
        for session in runtime.sessions.all {
            if drain {
                session.endHoldForShutdown()
            }
            session.closeIfIdle()
        }
        if drain && !(wasWindingDown && drainDeadline.isScheduled) {
            drainDeadline.schedule(after: runtime.config.timeouts.shutdownDrain)
        }
        logger.info(drain ? "draining" : "retiring", metadata: ["open": "\(runtime.sessions.count)"])
        sessionsChanged()
    }
}
