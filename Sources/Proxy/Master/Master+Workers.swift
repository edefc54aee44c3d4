import Config
import EventLoop
import GRIP
import Glibc
import Logging

/// Starting workers, hearing from them, and replacing the ones that die.
extension Master {
    func spawnWorker(slot: Int, generation: WorkerGeneration) throws(SocketError) {
        let (masterEnd, workerEnd) = try makeSocketPair()
        defer { Glibc.close(workerEnd) }
        let listenFDs = listeners.descriptors(for: generation.config.server.listen)
        let tlsListenFDs = listeners.descriptors(for: generation.config.server.tls?.listen ?? [])
        let arguments = workerArguments + [
            "--worker", "--link-fd", String(workerEnd), "--listen-fds", listenFDs.map(String.init).joined(separator: ","),
            "--tls-listen-fds", tlsListenFDs.map(String.init).joined(separator: ","),
        ]
        let pid: pid_t
        do {
            pid = try ChildProcess.spawn(executable: ChildProcess.currentExecutable, arguments: arguments,
                                         inherited: [workerEnd] + listenFDs + tlsListenFDs)
        } catch {
            Glibc.close(masterEnd)
            throw error
        }
        let link = FrameLink(base: base, fd: masterEnd,
                             onFrame: { [unowned self] frame in workerSent(frame, pid: pid) },
                             onClose: { [unowned self] in linkClosed(pid: pid) })
        let handle = WorkerHandle(pid: pid, slot: slot, generation: generation, link: link)
        workers[pid] = handle
        handle.send(.configure(fileName: configPath, text: generation.configText,
                               backendsUp: health?.upFlags(for: generation.config) ?? generation.config.backends.map { _ in true },
                               certificates: generation.certificates))
        logger.debug("started worker", metadata: ["pid": .stringConvertible(pid), "generation": .stringConvertible(generation.number)])
    }

    private func workerSent(_ bytes: [UInt8], pid: pid_t) {
        guard let handle = workers[pid] else { return }
        let frame: WorkerFrame
        do {
            frame = try WorkerFrame(decoding: bytes)
        } catch {
            logger.warning("worker \(pid) sent a frame that does not decode (\(bytes.count) bytes); ignored")
            return
        }
        switch frame {
        case let .publishAck(firstID, delivered):
            pendingPublishes[firstID]?.receive(delivered, from: pid)
        case let .stats(id, stats):
            handle.lastStats = stats
            pendingStats[id]?.receive((), from: pid)
        case let .backendFailed(index):
            reportPassive(index: index, of: handle, succeeded: false)
        case let .backendSucceeded(index):
            reportPassive(index: index, of: handle, succeeded: true)
        case let .channelActive(channel):
            cluster?.channelActive(channel, worker: pid)
        case let .channelIdle(channel):
            cluster?.channelIdle(channel, worker: pid)
        case let .historyRequest(id, channel, afterID):
            let answer = { [unowned self] (items: [PublishItem]) -> Void in
                workers[pid]?.send(.history(id: id, items: PublishCodec.encode(items)))
            }
            guard let cluster else { return answer([]) }
            cluster.history(of: channel, after: afterID, completion: answer)
        }
    }

    /// Workers number backends as in their own configuration; health is kept by name.
    private func reportPassive(index: Int, of handle: WorkerHandle, succeeded: Bool) {
        let backends = handle.generation.config.backends
        guard backends.indices.contains(index) else { return }
        health?.recordPassive(backendName: backends[index].name, succeeded: succeeded)
    }

    /// The worker is exiting (or died): stop waiting for its replies. Its exit status comes with SIGCHLD.
    private func linkClosed(pid: pid_t) {
        forgetPendingReplies(of: pid)
    }

    private func forgetPendingReplies(of pid: pid_t) {
        for collector in pendingPublishes.values { collector.workerGone(pid) }
        for collector in pendingStats.values { collector.workerGone(pid) }
    }

    func reapWorkers() {
        for (pid, exit) in ChildProcess.reapExited() {
            guard let handle = workers.removeValue(forKey: pid) else { continue }
            handle.link.close()
            forgetPendingReplies(of: pid)
            cluster?.workerGone(pid)
            if let stats = handle.lastStats {
                departedCounters.add(CounterTotals(stats: stats, config: handle.generation.config))
            }
            let metadata: Logger.Metadata = ["pid": .stringConvertible(pid), "exit": .string(Self.describe(exit))]
            switch handle.phase {
            case .serving where !isDraining:
                logger.error("worker exited unexpectedly", metadata: metadata)
                scheduleRespawn(slot: handle.slot, generation: handle.generation, lifetime: ContinuousClock.now - handle.startedAt)
            case .serving, .draining:
                logger.info("worker exited", metadata: metadata)
            case .retiring:
                logger.info("retired worker exited", metadata: metadata)
            }
        }
        if isDraining && workers.isEmpty { finishShutdown() }
    }

    /// Replaces a dead worker of the current generation after its backoff (see `RespawnBackoff`).
    func scheduleRespawn(slot: Int, generation: WorkerGeneration, lifetime: Duration) {
        guard generation === current, !isDraining else { return }
        let delay = respawnBackoffs[slot, default: RespawnBackoff()].delay(afterLifetime: lifetime)
        let timer = Timer(base: base) { [unowned self] in
            respawnTimers[slot] = nil
            guard generation === current, !isDraining else { return }
            do {
                try spawnWorker(slot: slot, generation: generation)
            } catch {
                logger.error("cannot start worker: \(error)")
                scheduleRespawn(slot: slot, generation: generation, lifetime: .zero)
            }
        }
        respawnTimers[slot] = timer
        timer.schedule(after: delay)
    }

    func cancelRespawns() {
        for timer in respawnTimers.values { timer.cancel() }
        respawnTimers = [:]
        respawnBackoffs = [:]
    }

    static func describe(_ exit: ChildProcess.Exit) -> String {
        switch exit {
        case let .exited(status): "exit status \(status)"
        case let .signaled(signal): "signal \(signal) (\(String(cString: strsignal(signal))))"
        }
    }
}
