import XCTest

/// GET /metrics (docs/operations.md): the Prometheus text format, every series, values that follow the traffic.
final class ControlMetricsTests: ThreeBackendTestCase {
    func testMetricsParseAndContainEverySeriesOfTheSpec() throws {
        let proxy = try startProxy(config(workers: 2))
        XCTAssertEqual(try servingBackend().count, 2)
        XCTAssertEqual(try proxy.control.publish(channel: "nobody", body: "x").status, 200)
        let text = try proxy.control.metrics()
        let metrics = try PrometheusText(parsing: text)
        let families = ["holdfast_client_connections", "holdfast_held_connections", "holdfast_backend_up",
                        "holdfast_upstream_connections", "holdfast_requests_total", "holdfast_messages_published_total",
                        "holdfast_messages_delivered_total", "holdfast_subscribers_dropped_total", "holdfast_timeouts_total"]
        for family in families {
            XCTAssertTrue(metrics.has(family), "/metrics expected a sample of \(family), got:\n\(text)")
        }
        for kind in ["response", "stream", "sse"] {
            XCTAssertEqual(metrics.value("holdfast_held_connections", ["kind": kind]), 0, "held \(kind)")
        }
        for name in Self.names {
            XCTAssertEqual(metrics.value("holdfast_backend_up", ["backend": name]), 1, "backend_up \(name)")
            for state in ["idle", "busy"] {
                XCTAssertNotNil(metrics.value("holdfast_upstream_connections", ["backend": name, "state": state]),
                                "upstream_connections \(name) \(state) expected")
            }
        }
        XCTAssertEqual(metrics.types["holdfast_client_connections"], "gauge")
        XCTAssertEqual(metrics.types["holdfast_requests_total"], "counter")
    }

    func testMetricValuesFollowTheTraffic() throws {
        let proxy = try startProxy(config(workers: 2))
        let start = try proxy.control.parsedMetrics()
        let requestsBefore = start.samples.filter { $0.name == "holdfast_requests_total" }.reduce(0) { $0 + $1.value }

        var idle: [HTTPClient] = []
        for _ in 0..<20 {
            let client = try proxy.client()
            XCTAssertEqual(try client.get("/").status, 200)
            idle.append(client)
        }
        try eventually("client_connections counts the 20 idle keep-alive clients") {
            try proxy.control.parsedMetrics().value("holdfast_client_connections") ?? 0 >= 20
        }
        try eventually("requests_total grew by the 20 requests") {
            let requests = try proxy.control.parsedMetrics().samples.filter { $0.name == "holdfast_requests_total" }
            return requests.reduce(0) { $0 + $1.value } >= requestsBefore + 20
                && requests.contains { $0.labels["code"] == "200" && $0.labels["route"] != nil }
        }

        let held = try openHeldClients(proxy, count: 5, target: "/hold?mode=response&channels=c")
        try eventually("held_connections{kind=response} is 5") {
            try proxy.control.parsedMetrics().value("holdfast_held_connections", ["kind": "response"]) == 5
        }
        let beforePublish = try proxy.control.parsedMetrics()
        let published = try proxy.control.publish(channel: "c", body: "news\n")
        XCTAssertEqual(published.status, 200)
        XCTAssertTrue(published.bodyText.contains("\"subscribers\""), published.bodyText)
        for client in held { XCTAssertEqual(try client.readResponse().bodyText, "news\n") }
        try eventually("published_total and delivered_total grew, held went back to 0") {
            let after = try proxy.control.parsedMetrics()
            return after.value("holdfast_messages_published_total")! > beforePublish.value("holdfast_messages_published_total")!
                && after.value("holdfast_messages_delivered_total")! >= beforePublish.value("holdfast_messages_delivered_total")! + 5
                && after.value("holdfast_held_connections", ["kind": "response"]) == 0
        }
        withExtendedLifetime(idle) {}
    }
}
