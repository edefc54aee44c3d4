import Config
@testable import Proxy
import XCTest

final class MasterStatsTests: XCTestCase {
    private func stats(clients: Int, idle: [Int], busy: [Int], requests: [WorkerStats.RequestKey: Int] = [:], delivered: Int = 0) -> WorkerStats {
        var stats = WorkerStats()
        stats.clientConnections = clients
        stats.heldResponses = 1
        stats.heldStreams = 2
        stats.heldSSE = 3
        stats.poolIdle = idle
        stats.poolBusy = busy
        stats.tunnels = [busy.first ?? 0, 0]
        stats.requests = requests
        stats.messagesDelivered = delivered
        for channel in ["a", "b", "c", "d"] { stats.channelSketch.add(channel) }
        stats.subscribers = 5
        stats.timeouts = ["hold": 1]
        stats.webSocketFramesOut = 3
        stats.webSocketBytesIn = 10
        stats.webSocketCloses = ["1001": 1]
        return stats
    }

    func testSumsGaugesAndPoolsOverWorkers() {
        let config = masterTestConfig()
        let snapshot = ProxySnapshot(live: [
            .init(config: config, stats: stats(clients: 10, idle: [1, 2], busy: [3, 4])),
            .init(config: config, stats: stats(clients: 5, idle: [1, 0], busy: [0, 1])),
            .init(config: config, stats: nil),
        ], departed: CounterTotals())
        XCTAssertEqual(snapshot.workers, 3)
        XCTAssertEqual(snapshot.clientConnections, 15)
        XCTAssertEqual(snapshot.heldTotal, 12)
        XCTAssertEqual(snapshot.channels, 4, "the same 4 channels in both workers are 4 channels")
        XCTAssertEqual(snapshot.subscribers, 10)
        XCTAssertEqual(snapshot.pools["app1"], .init(idle: 2, busy: 3, max: 24, tunnels: 3), "tunnels are summed per backend")
        XCTAssertEqual(snapshot.pools["app2"], .init(idle: 2, busy: 5, max: 24))
        XCTAssertEqual(snapshot.counters.timeouts, ["hold": 2])
        XCTAssertEqual(snapshot.counters.webSocketFrames, ["in": 0, "out": 6])
        XCTAssertEqual(snapshot.counters.webSocketBytes, ["in": 20, "out": 0])
        XCTAssertEqual(snapshot.counters.webSocketCloses, ["1001": 2])
    }

    func testCountersAreKeyedByRouteLabelsOfEachWorkersOwnConfiguration() {
        let old = masterTestConfig()
        let new = masterTestConfig(routes: [
            RouteConfig(host: .exact("api.example.com"), pathPrefix: "/v1/", backends: [0], sticky: .none, subscribe: nil),
            RouteConfig(host: nil, pathPrefix: "/", backends: [0, 1], sticky: .none, subscribe: nil),
        ])
        var departed = CounterTotals()
        departed.requests[.init(route: "/", code: 200)] = 100
        departed.messagesDelivered = 7
        let snapshot = ProxySnapshot(live: [
            .init(config: old, stats: stats(clients: 0, idle: [], busy: [], requests: [.init(route: 0, status: 200): 1, .init(route: -1, status: 404): 2], delivered: 1)),
            .init(config: new, stats: stats(clients: 0, idle: [], busy: [], requests: [.init(route: 1, status: 200): 10, .init(route: 0, status: 503): 3], delivered: 2)),
        ], departed: departed)
        XCTAssertEqual(snapshot.counters.requests, [
            .init(route: "/", code: 200): 111,
            .init(route: "none", code: 404): 2,
            .init(route: "api.example.com/v1/", code: 503): 3,
        ])
        XCTAssertEqual(snapshot.counters.messagesDelivered, 10)
    }

    func testRouteLabelsNameWildcardHosts() {
        let config = masterTestConfig(routes: [RouteConfig(host: .subdomains(of: "example.org"), pathPrefix: "/", backends: [0], sticky: .none, subscribe: nil)])
        XCTAssertEqual(RouteLabel.label(forRoute: 0, in: config), "*.example.org/")
        XCTAssertEqual(RouteLabel.label(forRoute: 1, in: config), "none")
    }

    func testStatusDocumentHasEveryField() {
        let config = masterTestConfig()
        let snapshot = ProxySnapshot(live: [.init(config: config, stats: stats(clients: 3, idle: [1, 0], busy: [2, 0]))], departed: CounterTotals())
        let json = StatusDocument.render(version: "0.1.0", uptimeSeconds: 42, snapshot: snapshot,
                                         backends: [BackendStatus(name: "app1", isUp: true), BackendStatus(name: "app2", isUp: false)])
        XCTAssertEqual(json, #"{"version": "0.1.0", "uptime_seconds": 42, "workers": 1, "connections": {"clients": 3, "held": 6}, "#
            + #""backends": [{"name": "app1", "up": true, "pool": {"idle": 1, "busy": 2, "max": 8}, "tunnels": 2}, "#
            + #"{"name": "app2", "up": false, "pool": {"idle": 0, "busy": 0, "max": 8}, "tunnels": 0}], "channels": 4, "subscribers": 5}"# + "\n")
    }

    func testReadyWhenEveryRouteWithBackendsHasOneUp() {
        let config = masterTestConfig(routes: [
            RouteConfig(host: nil, pathPrefix: "/api/", backends: [0, 1], sticky: .none, subscribe: nil),
            RouteConfig(host: nil, pathPrefix: "/events/", backends: [], sticky: .none, subscribe: .sse),
        ])
        XCTAssertNil(Readiness.problem(config: config, isListening: true, isDraining: false, backendIsUp: [false, true]))
        XCTAssertEqual(Readiness.problem(config: config, isListening: true, isDraining: false, backendIsUp: [false, false]),
                       #"route "/api/": no healthy backend (app1, app2)"#)
        XCTAssertEqual(Readiness.problem(config: config, isListening: false, isDraining: false, backendIsUp: [true, true]), "not listening")
        XCTAssertEqual(Readiness.problem(config: config, isListening: true, isDraining: true, backendIsUp: [true, true]), "shutting down")
    }
}
