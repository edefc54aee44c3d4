import Auth

/// The validated, immutable configuration of one Holdfast instance (docs/configuration.md).
/// Built only by `ConfigLoader`; every value here has passed validation.
public struct ProxyConfig: Sendable, Equatable {
    public var server: ServerConfig
    public var timeouts: TimeoutsConfig
    public var control: ControlConfig
    public var grip: GripConfig
    public var channels: ChannelsConfig
    public var cors: CORSConfig
    public var websocket: WebSocketConfig
    public var backends: [BackendConfig]
    public var routes: [RouteConfig]
    public var auths: [AuthConfig]
    public var cluster: ClusterConfig

    public init(server: ServerConfig, timeouts: TimeoutsConfig, control: ControlConfig, grip: GripConfig,
                channels: ChannelsConfig, cors: CORSConfig, websocket: WebSocketConfig, backends: [BackendConfig], routes: [RouteConfig],
                auths: [AuthConfig] = [], cluster: ClusterConfig = ClusterConfig()) {
        self.server = server
        self.timeouts = timeouts
        self.control = control
        self.grip = grip
        self.channels = channels
        self.cors = cors
        self.websocket = websocket
        self.backends = backends
        self.routes = routes
        self.auths = auths
        self.cluster = cluster
    }
}

/// A `host:port` pair as written in the file: `0.0.0.0:8080`, `[::1]:8080`, `localhost:9000`.
public struct EndpointAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: UInt16
    public init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }
    public var description: String { host.utf8.contains(UInt8(ascii: ":")) ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// `[server.tls]`: the default certificate, and those chosen by SNI (docs/configuration.md).
public struct TLSListenConfig: Sendable, Equatable {
    public var listen: [EndpointAddress]
    public var certificatePath: String
    public var privateKeyPath: String
    public var minVersion: TLSVersion
    /// In file order: the first entry with a matching name wins.
    public var sni: [SNICertificateConfig]
    public init(listen: [EndpointAddress], certificatePath: String, privateKeyPath: String, minVersion: TLSVersion = .tls12,
                sni: [SNICertificateConfig] = []) {
        self.listen = listen
        self.certificatePath = certificatePath
        self.privateKeyPath = privateKeyPath
        self.minVersion = minVersion
        self.sni = sni
    }
}

public enum TLSVersion: String, Sendable {
    case tls12 = "1.2"
    case tls13 = "1.3"
}

/// One `[[server.tls.sni]]`: a certificate for the server names a client asks for.
public struct SNICertificateConfig: Sendable, Equatable {
    public var serverNames: [HostPattern]
    public var certificatePath: String
    public var privateKeyPath: String
    public init(serverNames: [HostPattern], certificatePath: String, privateKeyPath: String) {
        self.serverNames = serverNames
        self.certificatePath = certificatePath
        self.privateKeyPath = privateKeyPath
    }
}

public struct ServerConfig: Sendable, Equatable {
    public var listen: [EndpointAddress]
    /// 0 means one per core.
    public var workers: Int
    public var maxConnections: Int
    public var maxHeaderBytes: Int
    public var maxURIBytes: Int
    public var maxHeaders: Int
    public var maxBodyBytes: Int
    /// Header names with `_` are dropped unless set: a backend may read `X_Forwarded_For` as `X-Forwarded-For`.
    public var allowsUnderscoresInHeaders: Bool
    public var tls: TLSListenConfig?
    public init(listen: [EndpointAddress], workers: Int, maxConnections: Int, maxHeaderBytes: Int,
                maxURIBytes: Int, maxHeaders: Int, maxBodyBytes: Int, allowsUnderscoresInHeaders: Bool = false,
                tls: TLSListenConfig?) {
        self.listen = listen
        self.workers = workers
        self.maxConnections = maxConnections
        self.maxHeaderBytes = maxHeaderBytes
        self.maxURIBytes = maxURIBytes
        self.maxHeaders = maxHeaders
        self.maxBodyBytes = maxBodyBytes
        self.allowsUnderscoresInHeaders = allowsUnderscoresInHeaders
        self.tls = tls
    }
}

public struct TimeoutsConfig: Sendable, Equatable {
    public var clientHeader: Duration
    public var clientIdle: Duration
    public var hold: Duration
    public var streamKeepalive: Duration
    public var upstreamConnect: Duration
    public var upstreamResponse: Duration
    public var upstreamIdle: Duration
    public var queue: Duration
    public var shutdownDrain: Duration
    public init(clientHeader: Duration, clientIdle: Duration, hold: Duration, streamKeepalive: Duration,
                upstreamConnect: Duration, upstreamResponse: Duration, upstreamIdle: Duration,
                queue: Duration, shutdownDrain: Duration) {
        self.clientHeader = clientHeader
        self.clientIdle = clientIdle
        self.hold = hold
        self.streamKeepalive = streamKeepalive
        self.upstreamConnect = upstreamConnect
        self.upstreamResponse = upstreamResponse
        self.upstreamIdle = upstreamIdle
        self.queue = queue
        self.shutdownDrain = shutdownDrain
    }
}

public struct ControlConfig: Sendable, Equatable {
    public var listen: EndpointAddress
    public var publishToken: String?
    public var maxConnections: Int
    public var maxPublishBytes: Int
    public init(listen: EndpointAddress, publishToken: String?, maxConnections: Int, maxPublishBytes: Int) {
        self.listen = listen
        self.publishToken = publishToken
        self.maxConnections = maxConnections
        self.maxPublishBytes = maxPublishBytes
    }
}

public struct GripConfig: Sendable, Equatable {
    public var signingKey: String
    public init(signingKey: String) { self.signingKey = signingKey }
}

public struct ChannelsConfig: Sendable, Equatable {
    public var historyLength: Int
    public var historyTTL: Duration
    public var subscriberBufferBytes: Int
    public init(historyLength: Int, historyTTL: Duration, subscriberBufferBytes: Int) {
        self.historyLength = historyLength
        self.historyTTL = historyTTL
        self.subscriberBufferBytes = subscriberBufferBytes
    }
}

public struct WebSocketConfig: Sendable, Equatable {
    /// A longer message from a client Holdfast terminates is refused (1009).
    public var maxMessageBytes: Int
    /// Idle terminated WebSockets are pinged this often; no pong by the next ping: closed.
    public var pingInterval: Duration
    /// A tunnel with no bytes either way for this long is closed.
    public var tunnelIdle: Duration

    public init(maxMessageBytes: Int, pingInterval: Duration, tunnelIdle: Duration) {
        self.maxMessageBytes = maxMessageBytes
        self.pingInterval = pingInterval
        self.tunnelIdle = tunnelIdle
    }
}

/// `[cluster]`: several instances acting as one through Redis (docs/cluster.md). Off without `redis`.
public struct ClusterConfig: Sendable, Equatable {
    public var redis: RedisAddress?
    /// Starts every Redis pub/sub channel and key Holdfast uses.
    public var channelPrefix: String

    public init(redis: RedisAddress? = nil, channelPrefix: String = "holdfast:") {
        self.redis = redis
        self.channelPrefix = channelPrefix
    }
}

/// docs/security.md. Origins are lowercased entries: `*`, `scheme://host[:port]` or `scheme://*.suffix[:port]`.
public struct CORSConfig: Sendable, Equatable {
    public var allowOrigins: [String]
    public var allowCredentials: Bool
    public var allowHeaders: [String]
    public var exposeHeaders: [String]
    public var maxAge: Duration
    public init(allowOrigins: [String], allowCredentials: Bool, allowHeaders: [String], exposeHeaders: [String],
                maxAge: Duration) {
        self.allowOrigins = allowOrigins
        self.allowCredentials = allowCredentials
        self.allowHeaders = allowHeaders
        self.exposeHeaders = exposeHeaders
        self.maxAge = maxAge
    }

    /// No origins: Holdfast leaves CORS to the backends.
    public var isEnabled: Bool { !allowOrigins.isEmpty }
}

public struct HealthCheckConfig: Sendable, Equatable {
    public var path: String
    public var interval: Duration
    public var timeout: Duration
    public var rise: Int
    public var fall: Int
    public init(path: String, interval: Duration, timeout: Duration, rise: Int, fall: Int) {
        self.path = path
        self.interval = interval
        self.timeout = timeout
        self.rise = rise
        self.fall = fall
    }
}

public struct BackendConfig: Sendable, Equatable {
    public var name: String
    public var address: EndpointAddress
    /// Pooled connections to this backend, per worker process.
    public var maxConnections: Int
    public var weight: Int
    public var health: HealthCheckConfig
    public init(name: String, address: EndpointAddress, maxConnections: Int, weight: Int, health: HealthCheckConfig) {
        self.name = name
        self.address = address
        self.maxConnections = maxConnections
        self.weight = weight
        self.health = health
    }
}

public enum HostPattern: Sendable, Hashable {
    /// Exact host name, lowercased, without port.
    case exact(String)
    /// `*.example.org`: any subdomain of the suffix (stored as `example.org`), never the apex.
    case subdomains(of: String)
}

public enum StickyKey: Sendable, Hashable {
    case cookie(String)
    case header(String)
    case query(String)
    case clientIP
    case none
}

public enum SubscribeMode: String, Sendable, Hashable {
    case sse, longpoll, stream, websocket
}

/// What a route with backends does with a WebSocket handshake: tunnel it to the backend, or
/// terminate it and speak WebSocket-over-HTTP (Pushpin's protocol) to the backend.
public enum WebSocketMode: String, Sendable, Hashable {
    case tunnel, grip
}

public struct RouteConfig: Sendable, Equatable {
    public var host: HostPattern?
    public var pathPrefix: String
    /// Indexes into `ProxyConfig.backends`; empty only for `subscribe` routes.
    public var backends: [Int]
    public var sticky: StickyKey
    public var subscribe: SubscribeMode?
    public var webSocket: WebSocketMode
    /// Index into `ProxyConfig.auths`: requests need a token it accepts.
    public var auth: Int?
    /// `[cors]` with this route's `[route.cors]` over it; nil when CORS is off here (`cors = false`, no origins).
    public var cors: CORSConfig?
    public init(host: HostPattern?, pathPrefix: String, backends: [Int], sticky: StickyKey, subscribe: SubscribeMode?,
                webSocket: WebSocketMode = .tunnel, auth: Int? = nil, cors: CORSConfig? = nil) {
        self.host = host
        self.pathPrefix = pathPrefix
        self.backends = backends
        self.sticky = sticky
        self.subscribe = subscribe
        self.webSocket = webSocket
        self.auth = auth
        self.cors = cors
    }
}
