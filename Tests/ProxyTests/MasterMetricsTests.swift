import Config
@testable import Proxy
import XCTest

final class MasterMetricsTests: XCTestCase {
    /// Sample lines `name{labels} value` of the exposition, keyed by everything before the value.
    private func samples(_ text: String) throws -> [String: Double] {
        var samples: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            XCTAssertEqual(parts.count, 2, "expected \"series value\", got \"\(line)\"")
            samples[String(parts[0])] = try XCTUnwrap(Double(parts[1]), "value of \(line)")
        }
        return samples
    }

    private func snapshot() -> ProxySnapshot {
        let config = masterTestConfig(routes: [RouteConfig(host: .exact("api.example.com"), pathPrefix: "/v1/", backends: [0], sticky: .none, subscribe: nil)])
        var stats = WorkerStats()
        stats.clientConnections = 12
        stats.heldResponses = 3
        stats.heldStreams = 2
        stats.heldSSE = 1
        stats.poolIdle = [4, 0]
        stats.poolBusy = [1, 0]
        stats.tunnels = [2, 0]
        stats.requests = [.init(route: 0, status: 200): 9, .init(route: -1, status: 404): 1]
        stats.messagesDelivered = 30
        stats.subscribersDropped = ["slow": 2]
        stats.timeouts = ["hold": 5]
        stats.webSocketFramesIn = 7
        stats.webSocketFramesOut = 8
        stats.webSocketBytesIn = 70
        stats.webSocketBytesOut = 80
        stats.webSocketCloses = ["1000": 2, "1011": 1]
        stats.tlsHeapBytes = 98304
        return ProxySnapshot(live: [.init(config: config, stats: stats)], departed: CounterTotals())
    }

    func testRendersEveryRequiredSeries() throws {
        let text = MetricsText.render(snapshot: snapshot(), backends: [BackendStatus(name: "app1", isUp: true), BackendStatus(name: "app2", isUp: false)],
                                      messagesPublished: 6,
                                      control: ControlConnectionUsage(open: 7, capacity: 64))
        let values = try samples(text)
        XCTAssertEqual(values["holdfast_client_connections"], 12)
        XCTAssertEqual(values["holdfast_tls_heap_bytes"], 98304)
        XCTAssertEqual(values[#"holdfast_held_connections{kind="response"}"#], 3)
        XCTAssertEqual(values[#"holdfast_held_connections{kind="stream"}"#], 2)
        XCTAssertEqual(values[#"holdfast_held_connections{kind="sse"}"#], 1)
        XCTAssertEqual(values[#"holdfast_backend_up{backend="app1"}"#], 1)
        XCTAssertEqual(values[#"holdfast_backend_up{backend="app2"}"#], 0)
        XCTAssertEqual(values[#"holdfast_upstream_connections{backend="app1",state="idle"}"#], 4)
        XCTAssertEqual(values[#"holdfast_upstream_connections{backend="app1",state="busy"}"#], 1)
        XCTAssertEqual(values[#"holdfast_tunnels{backend="app1"}"#], 2)
        XCTAssertEqual(values[#"holdfast_tunnels{backend="app2"}"#], 0)
        XCTAssertEqual(values[#"holdfast_requests_total{route="api.example.com/v1/",code="200"}"#], 9)
        XCTAssertEqual(values[#"holdfast_requests_total{route="none",code="404"}"#], 1)
        XCTAssertEqual(values["holdfast_messages_published_total"], 6)
        XCTAssertEqual(values["holdfast_messages_delivered_total"], 30)
        XCTAssertEqual(values[#"holdfast_subscribers_dropped_total{reason="slow"}"#], 2)
        XCTAssertEqual(values[#"holdfast_timeouts_total{kind="hold"}"#], 5)
        XCTAssertEqual(values[#"holdfast_websocket_frames_total{direction="in"}"#], 7)
        XCTAssertEqual(values[#"holdfast_websocket_frames_total{direction="out"}"#], 8)
        XCTAssertEqual(values[#"holdfast_websocket_bytes_total{direction="in"}"#], 70)
        XCTAssertEqual(values[#"holdfast_websocket_bytes_total{direction="out"}"#], 80)
        XCTAssertEqual(values[#"holdfast_websocket_closes_total{code="1000"}"#], 2)
        XCTAssertEqual(values[#"holdfast_websocket_closes_total{code="1011"}"#], 1)
        XCTAssertEqual(values["holdfast_control_connections"], 7)
        XCTAssertEqual(values["holdfast_control_connections_max"], 64)
        XCTAssertTrue(text.contains("# TYPE holdfast_requests_total counter\n"), text)
        XCTAssertTrue(text.contains("# TYPE holdfast_client_connections gauge\n"), text)
    }

    func testRemovedBackendsDisappearFromLaterScrapes() throws {
        let control = ControlConnectionUsage(open: 1, capacity: 64)
        _ = MetricsText.render(snapshot: snapshot(), backends: [BackendStatus(name: "old", isUp: true)], messagesPublished: 0, control: control)
        let values = try samples(MetricsText.render(snapshot: snapshot(), backends: [BackendStatus(name: "app1", isUp: true)],
                                                    messagesPublished: 0, control: control))
        XCTAssertNil(values[#"holdfast_backend_up{backend="old"}"#])
    }
}
