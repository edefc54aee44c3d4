import GRIP
import HTTP1

/// The control listener's endpoints (docs/operations.md), answered from the master's state and the workers' replies.
extension Master {
    static let statsTimeout = Duration.seconds(1)
    /// A publish body at least this large leaves enough freed heap behind to be worth giving back.
    static let largePublishBytes = 256 * 1024
    /// A publish body at least this large is parsed off the loop (well under a millisecond below it).
    static let offLoopPublishBytes = 16 * 1024

    func handleControl(_ request: ControlRequest, reply: @escaping (ControlResponse) -> Void) {
        let path = request.path
        if path.hasPrefix(PublishEndpoint.pathPrefix) {
            prepareAndPublish(request, reply: reply)
            return
        }
        guard ["/healthz", "/readyz", "/metrics", "/status"].contains(path) else {
            reply(.error(404, "no control endpoint at \(path)"))
            return
        }
        guard request.method == "GET" else {
            reply(.methodNotAllowed(allow: "GET"))
            return
        }
        switch path {
        case "/healthz":
            reply(.text(200, "ok\n"))
        case "/readyz":
            let problem = Readiness.problem(config: current.config, isListening: control != nil && !listeners.descriptors.isEmpty,
                                            isDraining: isDraining, backendIsUp: health?.upFlags(for: current.config) ?? [],
                                            clusterProblem: cluster?.problem)
            reply(problem.map { .text(503, $0 + "\n") } ?? .text(200, "ready\n"))
        case "/metrics":
            collectStats { [unowned self] snapshot in
                var response = ControlResponse.text(200, MetricsText.render(snapshot: snapshot, backends: health?.statuses() ?? [],
                                                                            messagesPublished: messagesPublished,
                                                                            control: controlConnectionUsage(), cluster: cluster?.stats))
                response.headers.replace("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                reply(response)
            }
        default:
            collectStats { [unowned self] snapshot in
                let uptime = ContinuousClock.now - startedAt
                reply(.json(200, StatusDocument.render(version: holdfastVersion, uptimeSeconds: Int(uptime.components.seconds),
                                                       snapshot: snapshot, backends: health?.statuses() ?? [])))
            }
        }
    }

    /// Parsing and encoding a large body run off the loop (a 6.5 MB batch takes a debug build seconds);
    /// a small one costs less here than the hand-over. Off-loop work is serial and a small publish waits
    /// behind any still there, so publishes still reach the workers in the order they came.
    private func prepareAndPublish(_ request: ControlRequest, reply: @escaping (ControlResponse) -> Void) {
        let token = current.config.control.publishToken
        let bodyBytes = request.body.count
        let work: @Sendable () -> Result<PreparedPublish, ControlResponseError> = { PublishEndpoint.prepare(request, token: token) }
        let finish = { [unowned self] (prepared: Result<PreparedPublish, ControlResponseError>) in
            switch prepared {
            case let .success(batch): publishThroughCluster(batch, reply: reply)
            case let .failure(refusal): reply(refusal.response)
            }
            if bodyBytes >= Self.largePublishBytes { scheduleMemoryRelease() }
        }
        guard let offLoopWork, bodyBytes >= Self.offLoopPublishBytes || publishesOffLoop > 0 else { return finish(work()) }
        publishesOffLoop += 1
        offLoopWork.run(work) { [unowned self] prepared in
            publishesOffLoop -= 1
            finish(prepared)
        }
    }

    /// With `[cluster]`, Redis numbers and spreads the items first; unreachable, nothing is published (503).
    private func publishThroughCluster(_ batch: PreparedPublish, reply: @escaping (ControlResponse) -> Void) {
        guard let cluster else { return publish(batch, reply: reply) }
        cluster.publish(batch.items) { [unowned self] result in
            switch result {
            case let .success(numbered): publish(PreparedPublish(items: numbered, encoded: PublishCodec.encode(numbered)), reply: reply)
            case let .failure(error): reply(.error(503, "not published: \(error.reason); nothing was delivered, retry later"))
            }
        }
    }

    /// Answers with the sum of deliveries over the workers.
    private func publish(_ batch: PreparedPublish, reply: @escaping (ControlResponse) -> Void) {
        messagesPublished += batch.itemCount
        queuePublish(batch.encoded) { reply(PublishEndpoint.answer(delivered: $0)) }
    }

    /// Asks every worker for fresh stats, then sums them (a worker that does not answer in time
    /// counts with the last stats it sent).
    private func collectStats(then body: @escaping (ProxySnapshot) -> Void) {
        let id = nextRequestID()
        let reached = Set(workers.values.filter { $0.isReachable && $0.send(.statsRequest(id: id)) }.map(\.pid))
        guard !reached.isEmpty else {
            body(snapshot())
            return
        }
        pendingStats[id] = ReplyCollector(base: base, waitingFor: reached, timeout: Self.statsTimeout) { [unowned self] _ in
            pendingStats[id] = nil
            body(snapshot())
        }
    }

    func snapshot() -> ProxySnapshot {
        ProxySnapshot(live: workers.values.map { .init(config: $0.generation.config, stats: $0.lastStats) }, departed: departedCounters)
    }

    /// Gives the heap of large publishes back to the kernel once their frames have reached the workers
    /// (a second later; one release for a burst of them).
    private func scheduleMemoryRelease() {
        guard !memoryRelease.isScheduled else { return }
        memoryRelease.schedule(after: .seconds(1))
    }
}
