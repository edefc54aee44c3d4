import Config
import EventLoop
import GRIP
import HTTP1
import Glibc
import Logging
import WebSocket

/// Everything one worker process serves with: its configuration, routes, pools, channels and counters.
final class WorkerRuntime {
    let base: EventBase
    let config: ProxyConfig
    let logger: Logger
    let limits: HTTPLimits
    let lifecycleSettings: ConnectionLifecycle.Settings
    let routeTable: RouteTable
    /// One per `ProxyConfig.auths`, in its order.
    let authenticators: [Authenticator]
    private let selectors: [BackendSelector]
    private(set) var backendUp: [Bool]
    let pools: [UpstreamPool]
    let hub: ChannelHub<ClientSession>
    var stats = WorkerStats()
    private let signer: GripSigner
    private var signature: (token: String, validUntil: Int64) = ("", 0)
    private var tieBreak = 0
    let sessions = SessionTable()
    /// Tells the master what this worker learned about a backend (passive health checks).
    var reportBackend: (Int, Bool) -> Void = { _, _ in }
    /// Set when the worker stops taking requests: keep-alive connections are closed as they go idle.
    var isWindingDown = false
    var onSessionsChanged: () -> Void = {}
    /// With `[cluster]`: asks Redis (through the master) for a channel's messages after an id.
    var requestHistory: ((_ channel: String, _ afterID: String, _ completion: @escaping ([PublishItem]) -> Void) -> Void)?
    private var internedBytes = InternTable<[UInt8]>()
    /// Per route; nil where CORS is off.
    private let corsPolicies: [CORSPolicy?]
    /// `[cors]` itself, for answers to requests no route matched.
    private let unroutedCORSPolicy: CORSPolicy?
    private var internedCORS = InternTable<CORSHeaders>()
    private var internedChannels = InternTable<[String]>()
    /// Smaller than the others: a handshake with cookies in it is rarely shared, and the table keeps
    /// what it holds until it starts over.
    private var internedHandshakes = InternTable<[UInt8]>(capacity: 256)

    init(base: EventBase, config: ProxyConfig, backendAddresses: [SocketAddress], backendUp: [Bool], logger: Logger) {
        self.base = base
        self.config = config
        self.logger = logger
        limits = HTTPLimits(maxHeaderBytes: config.server.maxHeaderBytes, maxURIBytes: config.server.maxURIBytes,
                            maxHeaders: config.server.maxHeaders, maxBodyBytes: config.server.maxBodyBytes)
        lifecycleSettings = ConnectionLifecycle.Settings(
            headerTimeoutMilliseconds: config.timeouts.clientHeader.milliseconds,
            idleTimeoutMilliseconds: config.timeouts.clientIdle.milliseconds,
            maxBufferedInputBytes: config.server.maxHeaderBytes,
            outputHighWaterBytes: 256 * 1024,
            tunnelIdleMilliseconds: config.websocket.tunnelIdle.milliseconds)
        routeTable = RouteTable(routes: config.routes)
        authenticators = config.auths.map(Authenticator.init)
        corsPolicies = config.routes.map { $0.cors.map(CORSPolicy.init) }
        unroutedCORSPolicy = config.cors.isEnabled ? CORSPolicy(config.cors) : nil
        selectors = config.routes.map { route in
            BackendSelector(backends: route.backends.map { (index: $0, name: config.backends[$0].name, weight: config.backends[$0].weight) })
        }
        self.backendUp = backendUp.count == config.backends.count ? backendUp : Array(repeating: true, count: config.backends.count)
        hub = ChannelHub(historyLength: config.channels.historyLength, historyTTL: config.channels.historyTTL)
        signer = GripSigner(key: config.grip.signingKey)
        var pools: [UpstreamPool] = []
        for (index, backend) in config.backends.enumerated() {
            pools.append(UpstreamPool(backendIndex: index, backend: backend, address: backendAddresses[index], base: base,
                                      timeouts: config.timeouts))
        }
        self.pools = pools
        for pool in pools {
            pool.onHealthSignal = { [unowned self] index, succeeded in self.reportBackend(index, succeeded) }
        }
        stats.poolIdle = Array(repeating: 0, count: pools.count)
        stats.poolBusy = Array(repeating: 0, count: pools.count)
        stats.tunnels = Array(repeating: 0, count: pools.count)
    }

    func setBackendHealth(_ up: [Bool]) {
        guard up.count == backendUp.count else { return }
        backendUp = up
    }

    /// The backend for a request on `route`: sticky by key when the route has one, else least loaded;
    /// only healthy backends, never `excluded` (a backend that just failed this request).
    func chooseBackend(route: Int, head: RequestHead, clientIP: String, excluding excluded: Int? = nil) -> Int? {
        let isUp = { (index: Int) in self.backendUp[index] && index != excluded }
        let selector = selectors[route]
        if let key = StickyKeyExtractor.key(config.routes[route].sticky, headers: head.headers, target: head.target, clientIP: clientIP),
           let chosen = selector.pick(key: key, isUp: isUp) {
            return chosen
        }
        tieBreak &+= 1
        return selector.leastLoaded(isUp: isUp, load: { self.pools[$0].busyCount }, tieBreak: tieBreak)
    }

    /// A `Grip-Sig` token, re-signed once a minute rather than per request.
    var gripSignature: String {
        let now = unixSeconds
        if now >= signature.validUntil {
            signature = (signer.token(now: now, lifetime: 3600), now + 60)
        }
        return signature.token
    }

    /// Wall-clock time for JWT claims, from the loop's cached clock.
    var unixSeconds: Int64 { base.nowMilliseconds / 1000 + clockOffsetSeconds }

    /// The loop-clock millisecond at which wall-clock second `unixSeconds` comes.
    func loopMilliseconds(atUnixSeconds unixSeconds: Int64) -> Int64 { (unixSeconds - clockOffsetSeconds) * 1000 }

    /// libevent's cached clock is monotonic; JWT claims need wall-clock seconds.
    private lazy var clockOffsetSeconds: Int64 = {
        Int64(time(nil)) - Int64(base.nowMilliseconds / 1000)
    }()

    func countRequest(route: Int?, status: Int) {
        stats.requests[WorkerStats.RequestKey(route: route ?? -1, status: status), default: 0] += 1
    }

    func countTimeout(_ kind: TimeoutKind) {
        stats.timeouts[kind.rawValue, default: 0] += 1
    }

    /// A WebSocket client's `bytes` read by its `reader`, the frames they end and the bytes counted.
    func readWebSocketFrames(_ bytes: UnsafeRawBufferPointer, with reader: inout FrameReader) throws(WebSocketError) -> [WebSocketEvent] {
        let framesBefore = reader.framesRead
        defer {
            stats.webSocketFramesIn += reader.framesRead - framesBefore
            stats.webSocketBytesIn += bytes.count
        }
        return try reader.read(bytes)
    }

    /// One frame Holdfast writes to a WebSocket client; a close frame's code (its payload's first
    /// two bytes, after the 2-byte header of a server's short frame) is counted too.
    func countWebSocketOutput(_ frame: [UInt8]) {
        stats.webSocketFramesOut += 1
        stats.webSocketBytesOut += frame.count
        guard frame.first.map({ $0 & 0x0F }) == Opcode.close.rawValue else { return }
        let code = frame.count >= 4 ? String(UInt16(frame[2]) << 8 | UInt16(frame[3])) : "none"
        stats.webSocketCloses[code, default: 0] += 1
    }

    func countDropped(_ reason: DropReason) {
        stats.subscribersDropped[reason.rawValue, default: 0] += 1
    }

    func snapshot() -> WorkerStats {
        var snapshot = stats
        snapshot.clientConnections = sessions.count
        snapshot.poolIdle = pools.map(\.idleCount)
        snapshot.poolBusy = pools.map(\.busyCount)
        snapshot.tunnels = pools.map(\.tunnelCount)
        snapshot.channelSketch = hub.channelSketch
        snapshot.subscribers = hub.subscriberCount
        return snapshot
    }
}

extension WorkerRuntime {
    func interned(_ bytes: [UInt8]) -> [UInt8] { internedBytes.intern(bytes) }
    func interned(_ channels: [String]) -> [String] { internedChannels.intern(channels) }
    /// A WebSocket-over-HTTP connection's packed handshake (`OverHTTPRequestHead`).
    func internedHandshake(_ packed: [UInt8]) -> [UInt8] { internedHandshakes.intern(packed) }

    /// The CORS verdict for a request on `route` (nil: none matched). Its headers are interned:
    /// held clients from one origin share one copy.
    func corsVerdict(route: Int?, head: RequestHead) -> CORSVerdict {
        let policy = if let route { corsPolicies[route] } else { unroutedCORSPolicy }
        guard let policy else { return .notApplicable }
        switch policy.verdict(method: head.method, headers: head.headers) {
        case let .answer(headers): return .answer(internedCORS.intern(headers))
        case let verdict: return verdict
        }
    }

    func countHeld(_ hold: Hold, delta: Int) {
        switch hold.metricKind {
        case .response: stats.heldResponses += delta
        case .stream: stats.heldStreams += delta
        case .sse: stats.heldSSE += delta
        case .websocket: stats.heldWebSockets += delta
        }
    }
}
