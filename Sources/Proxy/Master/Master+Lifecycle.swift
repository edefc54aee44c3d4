import Config
import EventLoop
import Glibc

/// Reload on SIGHUP and shutdown on SIGTERM/SIGINT (docs/operations.md).
extension Master {
    /// A bad file changes nothing. A good one gets its own generation of workers; the old workers
    /// retire (stop accepting, keep their connections until those end) and are not replaced.
    func reload() {
        guard !isDraining else { return }
        logger.info("reloading \(configPath)")
        guard let text = readConfigText() else {
            logger.error("reload rejected; keeping the running configuration")
            return
        }
        let config: ProxyConfig
        let certificates: [CertificatePEM]
        do {
            config = try ConfigLoader.parse(text, fileName: configPath)
            // A certificate that does not load rejects the whole file; running workers keep theirs.
            certificates = try TLSCertificateLoader.load(config, configFile: configPath)
        } catch {
            for problem in error.problems { logger.error("\(problem)") }
            logger.error("reload rejected; keeping the running configuration")
            return
        }
        guard config.cluster == current.config.cluster else {
            logger.error("[cluster] cannot change at a reload (restart to change it); reload rejected; keeping the running configuration")
            return
        }
        guard prepareListeners(for: config) else {
            logger.error("reload rejected; keeping the running configuration")
            return
        }
        let retiring = workers.values.filter { $0.phase == .serving }
        cancelRespawns()
        current = WorkerGeneration(number: current.number + 1, config: config, configText: text, certificates: certificates)
        control?.limits = ControlLimits(config: config)
        control?.updateAccepting()
        health?.stop()
        startHealthChecks(previous: health)
        _ = startWorkers(of: current, retryingFailures: true)
        for handle in retiring {
            handle.phase = .retiring
            handle.send(.retire)
        }
        listeners.close(allBut: Set(config.server.allListenAddresses))
        logger.info("reloaded", metadata: ["generation": .stringConvertible(current.number), "workers": .stringConvertible(workerCount(config)),
                                           "retiring": .stringConvertible(retiring.count)])
    }

    /// Opens the new configuration's listening sockets (client and control) before anything changes.
    private func prepareListeners(for config: ProxyConfig) -> Bool {
        do {
            try listeners.open(config.server.allListenAddresses)
        } catch {
            logger.error("cannot listen: \(error)")
            listeners.close(allBut: Set(current.config.server.allListenAddresses))
            return false
        }
        guard config.control.listen != current.config.control.listen else { return true }
        do {
            let replacement = try openControlServer(for: config)
            control?.close()
            control = replacement
            return true
        } catch {
            logger.error("cannot listen for control: \(error)")
            listeners.close(allBut: Set(current.config.server.allListenAddresses))
            return false
        }
    }

    /// Every worker drains (held long-polls answered, streams ended, in-flight requests finished);
    /// past `shutdown_drain` plus a margin, the ones left are killed.
    func beginShutdown(reason: String) {
        guard !isDraining else {
            logger.info("\(reason): already shutting down")
            return
        }
        isDraining = true
        logger.info("shutting down (\(reason))", metadata: ["workers": .stringConvertible(workers.count)])
        cancelRespawns()
        health?.stop()
        listeners.close(allBut: [])
        for handle in workers.values {
            handle.phase = .draining
            handle.send(.drain)
        }
        guard !workers.isEmpty else {
            finishShutdown()
            return
        }
        let deadline = Timer(base: base) { [unowned self] in killRemainingWorkers() }
        deadline.schedule(after: current.config.timeouts.shutdownDrain + .seconds(5))
        shutdownTimers.append(deadline)
    }

    private func killRemainingWorkers() {
        logger.warning("workers still running after the drain time; killing them", metadata: ["pids": .string(workers.keys.map(String.init).joined(separator: ","))])
        for pid in workers.keys { kill(pid, SIGKILL) }
        // SIGCHLD normally ends the shutdown; this only guards against a child that cannot be reaped.
        let backstop = Timer(base: base) { [unowned self] in finishShutdown() }
        backstop.schedule(after: .seconds(2))
        shutdownTimers.append(backstop)
    }

    func finishShutdown() {
        for timer in shutdownTimers { timer.cancel() }
        control?.close()
        control = nil
        logger.info("stopped")
        base.stop()
    }
}
