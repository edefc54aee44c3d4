import GRIP
import HTTP1

/// The control listener's endpoints (SPEC §5), answered from the master's state and the workers' replies.
extension Master {
    static let publishAckTimeout = Duration.seconds(2)
    static let statsTimeout = Duration.seconds(1)

    func handleControl(_ request: ControlRequest, reply: @escaping (ControlResponse) -> Void) {
        let path = request.path
        if path.hasPrefix(PublishEndpoint.pathPrefix) {
            switch PublishEndpoint.items(for: request, token: current.config.control.publishToken) {
            case let .success(items): publish(items, reply: reply)
            case let .failure(refusal): reply(refusal.response)
            }
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
                                            isDraining: isDraining, backendIsUp: health?.upFlags(for: current.config) ?? [])
            reply(problem.map { .text(503, $0 + "\n") } ?? .text(200, "ready\n"))
        case "/metrics":
            collectStats { [unowned self] snapshot in
                var response = ControlResponse.text(200, MetricsText.render(snapshot: snapshot, backends: health?.statuses() ?? [],
                                                                            messagesPublished: messagesPublished))
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

    /// Sends the items to every live worker, old generations included, and answers with the sum of deliveries.
    private func publish(_ items: [PublishItem], reply: @escaping (ControlResponse) -> Void) {
        messagesPublished += items.count
        let id = nextRequestID()
        let frame = MasterFrame.publish(id: id, items: PublishCodec.encode(items))
        let reached = Set(workers.values.filter { $0.isReachable && $0.send(frame) }.map(\.pid))
        guard !reached.isEmpty else {
            reply(PublishEndpoint.answer(delivered: 0))
            return
        }
        pendingPublishes[id] = ReplyCollector(base: base, waitingFor: reached, timeout: Self.publishAckTimeout) { [unowned self] acks in
            pendingPublishes[id] = nil
            reply(PublishEndpoint.answer(delivered: acks.values.reduce(0, +)))
        }
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
}
