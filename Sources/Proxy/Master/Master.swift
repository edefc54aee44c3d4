import Config
import EventLoop
import Glibc
import Logging

/// The master process (DESIGN.md): opens the listening sockets, spawns and supervises the workers,
/// runs health checks and the control listener, reloads on SIGHUP and drains on SIGTERM/SIGINT.
public final class Master {
    let configPath: String
    let logger: Logger
    let workerArguments: [String]
    let base = EventBase()
    let startedAt = ContinuousClock.now

    var current: WorkerGeneration
    var workers: [pid_t: WorkerHandle] = [:]
    var listeners = ListeningSockets()
    var control: ControlServer?
    var health: HealthChecker?
    /// With `[cluster] redis`: publishes go through Redis (docs/cluster.md).
    var cluster: ClusterLink?
    var signalWatchers: [SignalWatcher] = []
    var respawnBackoffs: [Int: RespawnBackoff] = [:]
    var respawnTimers: [Int: Timer] = [:]
    /// By the first publish id of their frame: each worker's deliveries, per publish.
    var pendingPublishes: [UInt64: ReplyCollector<[Int]>] = [:]
    /// Publishes for the workers, sent together at the end of the loop's pass (`Master+Publishing`).
    var queuedPublishes: [QueuedPublish] = []
    lazy var publishFlush = Timer(base: base) { [unowned self] in sendQueuedPublishes() }
    var pendingStats: [UInt64: ReplyCollector<Void>] = [:]
    var lastRequestID: UInt64 = 0
    /// Final counters of workers that have exited, so /metrics counters never go backwards.
    var departedCounters = CounterTotals()
    var messagesPublished = 0
    var isDraining = false
    var shutdownTimers: [Timer] = []
    var perProcessFileLimit = 0
    /// Where publishes are parsed; nil only if its pipe could not be made (they are parsed inline then).
    lazy var offLoopWork: OffLoopWork? = try? OffLoopWork(base: base)
    /// Publishes handed to `offLoopWork` and not back yet.
    var publishesOffLoop = 0
    lazy var memoryRelease = Timer(base: base) { releaseFreeMemory() }

    /// `certificates`: what `TLSCertificateLoader.load` gave for `config`.
    public init(configPath: String, config: ProxyConfig, certificates: [CertificatePEM], logger: Logger, workerArguments: [String]) {
        self.configPath = configPath
        self.logger = logger
        self.workerArguments = workerArguments
        current = WorkerGeneration(number: 1, config: config, configText: "", certificates: certificates)
    }

    /// Runs until shut down; returns the exit status (0 after a clean shutdown, 1 if startup failed).
    public func run() -> Int32 {
        signal(SIGPIPE, SIG_IGN)
        perProcessFileLimit = FileLimit.raiseToHardLimit()
        guard let text = readConfigText() else { return 1 }
        current = WorkerGeneration(number: 1, config: current.config, configText: text, certificates: current.certificates)
        let config = current.config
        do {
            try listeners.open(config.server.allListenAddresses)
            control = try openControlServer(for: config)
        } catch {
            logger.error("cannot listen: \(error)")
            listeners.close(allBut: [])
            return 1
        }
        installSignalWatchers()
        startHealthChecks(previous: nil)
        startCluster(config)
        guard startWorkers(of: current, retryingFailures: false) else {
            abortStartup()
            return 1
        }
        logger.info("started", metadata: [
            "listen": .string(config.server.listen.map(\.description).joined(separator: ",")),
            "tls": .string(config.server.tls?.listen.map(\.description).joined(separator: ",") ?? "off"),
            "control": .string(config.control.listen.description), "workers": .stringConvertible(workers.count),
        ])
        base.run()
        return 0
    }

    /// The file as it is now; workers get this text, so master and workers agree on what it says.
    func readConfigText() -> String? {
        guard let file = fopen(configPath, "r") else {
            logger.error("cannot read \(configPath): \(String(cString: strerror(errno)))")
            return nil
        }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            bytes.append(contentsOf: chunk[..<count])
            if count < chunk.count { break }
        }
        if ferror(file) != 0 {
            logger.error("cannot read \(configPath): \(String(cString: strerror(errno)))")
            return nil
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    func openControlServer(for config: ProxyConfig) throws(SocketError) -> ControlServer {
        let address = config.control.listen
        let resolved = try SocketAddress.resolve(host: address.host, port: address.port)
        return try ControlServer(base: base, address: resolved, limits: ControlLimits(config: config),
                                 capacity: { [unowned self] in controlConnectionCapacity() }, logger: logger) { [unowned self] request, reply in
            handleControl(request, reply: reply)
        }
    }

    /// Control connections may take what the open-file limit leaves after everything else the master
    /// needs, so a flood of them cannot make a health check, a worker link or a reload fail (issue #8).
    func controlConnectionCapacity() -> Int {
        let config = current.config
        let reserve = FileLimit.masterReserve(workersAlive: workers.count, workersPerGeneration: workerCount(config),
                                              backends: config.backends.count, listeningSockets: listeners.descriptors.count)
        return FileLimit.controlCapacity(configured: config.control.maxConnections, perProcessLimit: perProcessFileLimit, reserve: reserve)
    }

    func controlConnectionUsage() -> ControlConnectionUsage {
        ControlConnectionUsage(open: control?.openConnections ?? 0, capacity: controlConnectionCapacity())
    }

    func startHealthChecks(previous: HealthChecker?) {
        let checker = HealthChecker(base: base, backends: current.config.backends, previous: previous, logger: logger) { [unowned self] in
            broadcastBackendHealth()
        }
        health = checker
        checker.start()
    }

    func broadcastBackendHealth() {
        guard let health else { return }
        for handle in workers.values { handle.send(.backendHealth(up: health.upFlags(for: handle.generation.config))) }
    }

    private func installSignalWatchers() {
        signalWatchers = [
            SignalWatcher(base: base, signal: SIGHUP) { [unowned self] in reload() },
            SignalWatcher(base: base, signal: SIGTERM) { [unowned self] in beginShutdown(reason: "SIGTERM") },
            SignalWatcher(base: base, signal: SIGINT) { [unowned self] in beginShutdown(reason: "SIGINT") },
            SignalWatcher(base: base, signal: SIGCHLD) { [unowned self] in reapWorkers() },
        ]
    }

    /// 0 in the file means one worker per core.
    func workerCount(_ config: ProxyConfig) -> Int {
        config.server.workers > 0 ? config.server.workers : max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    }

    /// Starts every worker of a generation. At start a worker that cannot be spawned is fatal;
    /// at a reload it is retried like a crashed one. False when a spawn failed and is not retried.
    func startWorkers(of generation: WorkerGeneration, retryingFailures: Bool) -> Bool {
        warnIfConnectionLimitCannotFit(generation.config)
        warnIfControlCapIsLowered(generation.config)
        for slot in 0..<workerCount(generation.config) {
            do {
                try spawnWorker(slot: slot, generation: generation)
            } catch {
                logger.error("cannot start worker: \(error)")
                guard retryingFailures else { return false }
                scheduleRespawn(slot: slot, generation: generation, lifetime: .zero)
            }
        }
        return true
    }

    func warnIfConnectionLimitCannotFit(_ config: ProxyConfig) {
        let workers = workerCount(config)
        let upstream = config.backends.reduce(0) { $0 + $1.maxConnections }
        let capacity = FileLimit.clientCapacity(workers: workers, perProcessLimit: perProcessFileLimit, upstreamPerWorker: upstream)
        guard capacity < config.server.maxConnections else { return }
        logger.warning("server.max_connections is \(config.server.maxConnections) but \(workers) workers with an open-file limit of \(perProcessFileLimit) each can hold about \(capacity) client connections; raise the limit (ulimit -n) or the worker count")
    }

    func warnIfControlCapIsLowered(_ config: ProxyConfig) {
        let capacity = controlConnectionCapacity()
        guard capacity < config.control.maxConnections else { return }
        logger.warning("control.max_connections is \(config.control.maxConnections) but an open-file limit of \(perProcessFileLimit) leaves room for \(capacity) control connections besides what the master reserves; raise the limit (ulimit -n)")
    }

    /// Startup failed after some workers started: stop them and everything else.
    private func abortStartup() {
        for pid in workers.keys { kill(pid, SIGKILL) }
        health?.stop()
        control?.close()
        listeners.close(allBut: [])
    }

    func nextRequestID() -> UInt64 {
        lastRequestID += 1
        return lastRequestID
    }
}
