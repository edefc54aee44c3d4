import XCTest
@testable import Config

final class DefaultsTests: XCTestCase {
    /// The defaults of docs/configuration.md, written out here independently of ConfigSchema.
    func testMinimalFileGetsSpecDefaults() throws {
        let config = try XCTUnwrap(config(of: validBase))
        XCTAssertEqual(config.server, ServerConfig(
            listen: [EndpointAddress(host: "0.0.0.0", port: 8080)], workers: 0, maxConnections: 200_000,
            maxHeaderBytes: 16384, maxURIBytes: 8192, maxHeaders: 100, maxBodyBytes: 1_048_576,
            allowsUnderscoresInHeaders: false, tls: nil))
        XCTAssertEqual(config.timeouts, TimeoutsConfig(
            clientHeader: .seconds(10), clientIdle: .seconds(75), hold: .seconds(55), streamKeepalive: .seconds(20),
            upstreamConnect: .seconds(3), upstreamResponse: .seconds(30), upstreamIdle: .seconds(60),
            queue: .seconds(5), shutdownDrain: .seconds(30)))
        XCTAssertEqual(config.control, ControlConfig(listen: EndpointAddress(host: "127.0.0.1", port: 5561), publishToken: nil,
                                                     maxConnections: 64, maxPublishBytes: 1_048_576))
        XCTAssertEqual(config.grip, GripConfig(signingKey: "changeme"))
        XCTAssertEqual(config.channels, ChannelsConfig(historyLength: 100, historyTTL: .seconds(300), subscriberBufferBytes: 65536))
        XCTAssertEqual(config.cors, CORSConfig(allowOrigins: [], allowCredentials: false,
                                               allowHeaders: ["Authorization", "Content-Type", "Last-Event-ID"],
                                               exposeHeaders: [], maxAge: .seconds(600)))
        XCTAssertEqual(config.websocket, WebSocketConfig(maxMessageBytes: 1_048_576, pingInterval: .seconds(30), tunnelIdle: .seconds(600)))
        XCTAssertEqual(config.backends.first?.maxConnections, 8)
        XCTAssertEqual(config.backends.first?.weight, 1)
        XCTAssertEqual(config.backends.first?.health,
                       HealthCheckConfig(path: "/health", interval: .seconds(2), timeout: .seconds(1), rise: 2, fall: 3))
        XCTAssertEqual(config.routes.first?.sticky, StickyKey.none)
        XCTAssertNil(config.routes.first?.host)
        XCTAssertNil(config.routes.first?.subscribe)
    }

    func testSubscribeRoutesNeedNoBackend() throws {
        let config = try XCTUnwrap(config(of: """
            [[route]]
            path_prefix = "/events/"
            subscribe = "sse"
            """))
        XCTAssertEqual(config.backends, [])
        XCTAssertEqual(config.routes, [RouteConfig(host: nil, pathPrefix: "/events/", backends: [], sticky: .none, subscribe: .sse)])
    }

    func testEveryValueKindReadsWhatItSays() throws {
        let config = try XCTUnwrap(config(of: """
            [server]
            listen = ["[::1]:8080", "localhost:8081"]
            [control]
            listen = "127.0.0.1:6000"
            publish_token = "t0ken"
            [cors]
            allow_origins = ["https://App.example.com", "http://localhost:3000"]
            [[backend]]
            name = "a-1"
            address = "backend.internal:9000"
            [[backend]]
            name = "b_2"
            address = "[::1]:9001"
            weight = 3
            [[route]]
            host = "*.Example.org"
            path_prefix = "/api/"
            backends = ["b_2", "a-1"]
            sticky = "header:X-Session"
            [[route]]
            host = "example.org"
            path_prefix = "/"
            backends = ["a-1"]
            sticky = "ip"
            """))
        XCTAssertEqual(config.server.listen, [EndpointAddress(host: "::1", port: 8080), EndpointAddress(host: "localhost", port: 8081)])
        XCTAssertEqual(config.control.publishToken, "t0ken")
        XCTAssertEqual(config.cors.allowOrigins, ["https://app.example.com", "http://localhost:3000"])
        XCTAssertEqual(config.backends.map(\.address.description), ["backend.internal:9000", "[::1]:9001"])
        XCTAssertEqual(config.routes[0], RouteConfig(host: .subdomains(of: "example.org"), pathPrefix: "/api/",
                                                     backends: [1, 0], sticky: .header("x-session"), subscribe: nil,
                                                     cors: config.cors))
        XCTAssertEqual(config.routes[1].host, .exact("example.org"))
        XCTAssertEqual(config.routes[1].sticky, .clientIP)
    }

    func testTLSFilesAreRead() throws {
        let config = try XCTUnwrap(config(of: validBase + """
            [server.tls]
            listen = "0.0.0.0:8443"
            certificate = "\(#filePath)"
            private_key = "\(#filePath)"
            """))
        XCTAssertEqual(config.server.tls, TLSListenConfig(listen: [EndpointAddress(host: "0.0.0.0", port: 8443)],
                                                          certificatePath: #filePath, privateKeyPath: #filePath))
    }
}
