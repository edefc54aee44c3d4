import Config

/// A small configuration for master tests: backends `app1`, `app2`, and the routes given.
func masterTestConfig(routes: [RouteConfig] = [RouteConfig(host: nil, pathPrefix: "/", backends: [0, 1], sticky: .none, subscribe: nil)],
                      backendMaxConnections: Int = 8) -> ProxyConfig {
    let health = HealthCheckConfig(path: "/health", interval: .seconds(2), timeout: .seconds(1), rise: 2, fall: 3)
    let timeouts = TimeoutsConfig(clientHeader: .seconds(10), clientIdle: .seconds(75), hold: .seconds(55), streamKeepalive: .seconds(20),
                                  upstreamConnect: .seconds(3), upstreamResponse: .seconds(30), upstreamIdle: .seconds(60),
                                  queue: .seconds(5), shutdownDrain: .seconds(30))
    return ProxyConfig(
        server: ServerConfig(listen: [EndpointAddress(host: "127.0.0.1", port: 8080)], workers: 2, maxConnections: 1000,
                             maxHeaderBytes: 16384, maxURIBytes: 8192, maxHeaders: 100, maxBodyBytes: 1_048_576, tls: nil),
        timeouts: timeouts,
        control: ControlConfig(listen: EndpointAddress(host: "127.0.0.1", port: 5561), publishToken: nil, maxConnections: 64, maxPublishBytes: 1_048_576),
        grip: GripConfig(signingKey: "key"),
        channels: ChannelsConfig(historyLength: 100, historyTTL: .seconds(300), subscriberBufferBytes: 65536),
        cors: CORSConfig(allowOrigins: [], allowCredentials: false, allowHeaders: [], exposeHeaders: [], maxAge: .seconds(600)),
        websocket: WebSocketConfig(maxMessageBytes: 1_048_576, pingInterval: .seconds(30), tunnelIdle: .seconds(600)),
        backends: ["app1", "app2"].enumerated().map { index, name in
            BackendConfig(name: name, address: EndpointAddress(host: "127.0.0.1", port: UInt16(9000 + index)),
                          maxConnections: backendMaxConnections, weight: 1, health: health)
        },
        routes: routes)
}
