import XCTest

/// Active health checks and /readyz: with no healthy backend, 503 at once (docs/architecture.md, docs/operations.md).
final class HealthReadinessTests: ThreeBackendTestCase {
    func testEveryBackendDownGives503AtOnceAndReadyzSaysWhy() throws {
        var settings = config(sticky: "cookie:sid", workers: 2, health: Self.fastHealth)
        settings.timeouts["queue"] = "5s"
        let proxy = try startProxy(settings)
        XCTAssertEqual(try proxy.control.healthz().status, 200)
        try eventually("/readyz answers 200 with every backend up") { try proxy.control.readyz().status == 200 }

        for name in Self.names { crash(name) }
        try eventually("/readyz answers 503", timeout: .seconds(2), interval: .milliseconds(50)) {
            try proxy.control.readyz().status == 503
        }
        let readyz = try proxy.control.readyz()
        XCTAssertTrue(readyz.bodyText.contains("no healthy backend"), "/readyz 503 expected to give the reason, got \(readyz.bodyText.debugDescription)")
        XCTAssertEqual(try proxy.control.healthz().status, 200, "liveness expected unaffected by backends")

        for headers in [[("Cookie", "sid=someone")], []] {
            let (response, elapsed) = try timed { try proxy.client().get("/", headers: headers) }
            XCTAssertEqual(response.status, 503)
            XCTAssertLessThan(elapsed, .seconds(1), "503 expected at once, not after the 5 s queue timeout")
        }

        try restart("b3")
        try eventually("/readyz answers 200 again once b3 is back", timeout: .seconds(2), interval: .milliseconds(50)) {
            try proxy.control.readyz().status == 200
        }
        XCTAssertEqual(try servingBackend(headers: [("Cookie", "sid=someone")]), "b3")
    }
}
