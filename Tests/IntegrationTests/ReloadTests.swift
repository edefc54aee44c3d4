import Glibc
import XCTest

/// SIGHUP reloads the file without dropping held connections; a bad file changes nothing (docs/operations.md).
final class ReloadTests: ThreeBackendTestCase {
    /// Everything to b1; the reloaded file adds /v2/ to b2 in front.
    private func onlyB1(workers: Int = 1) -> ScenarioConfig {
        var settings = config(workers: workers)
        settings.routes = [["path_prefix": "/", "backends": ["b1"]]]
        settings.backends[0].settings["max_connections"] = 32
        settings.timeouts["queue"] = "30s"
        return settings
    }

    private func rewriteConfig(_ proxy: Holdfast, _ text: String) throws {
        try text.write(toFile: proxy.configPath, atomically: true, encoding: .utf8)
    }

    func testReloadChangesRoutesWhileAThousandLongPollsStayHeld() throws {
        var settings = onlyB1()
        let proxy = try startProxy(settings)
        XCTAssertEqual(try servingBackend("/v2/x"), "b1")
        let held = try openHeldClients(proxy, count: 1000, target: "/hold?mode=response&channels=reload&timeout=120")
        try eventually("1,000 long-polls held", timeout: .seconds(30), interval: .milliseconds(100)) {
            try (proxy.control.status()["connections"] as? [String: Any])?["held"] as? Int == 1000
        }

        settings.routes.insert(["path_prefix": "/v2/", "backends": ["b2"]], at: 0)
        try rewriteConfig(proxy, settings.render(listenPort: proxy.port, controlPort: proxy.controlPort))
        proxy.signal(SIGHUP)
        try eventually("GET /v2/x is served by b2 under the new routes", timeout: .seconds(5), interval: .milliseconds(50)) {
            try servingBackend("/v2/x") == "b2"
        }
        XCTAssertEqual(try servingBackend("/other"), "b1")
        XCTAssertEqual((try proxy.control.status()["connections"] as? [String: Any])?["held"] as? Int, 1000,
                       "every long-poll expected still held after the reload")

        let published = try proxy.control.publish(channel: "reload", body: "after reload\n")
        XCTAssertEqual(published.status, 200)
        XCTAssertEqual(try JSONSerialization.jsonObject(with: Data(published.body)) as? [String: Int], ["subscribers": 1000])
        var received = 0
        for client in held {
            let response = try client.readResponse()
            if response.status == 200 && response.bodyText == "after reload\n" { received += 1 }
        }
        XCTAssertEqual(received, 1000, "every held client expected the published message")
    }

    func testReloadOfABrokenFileKeepsTheRunningConfiguration() throws {
        let proxy = try startProxy(onlyB1(workers: 2))
        let held = try openHeldClients(proxy, count: 3, target: "/hold?mode=response&channels=kept&timeout=60")
        try eventually("3 long-polls held") {
            try (proxy.control.status()["connections"] as? [String: Any])?["held"] as? Int == 3
        }
        let workersBefore = Set(proxy.workerPIDs())

        var unknownBackend = onlyB1(workers: 2)
        unknownBackend.routes.insert(["path_prefix": "/v2/", "backends": ["nowhere"]], at: 0)
        let brokenFiles = ["[server\nlisten = [\"127.0.0.1:\(proxy.port)\"]\n",  // a syntax error
                           unknownBackend.render(listenPort: proxy.port, controlPort: proxy.controlPort)]
        for (number, text) in brokenFiles.enumerated() {
            try rewriteConfig(proxy, text)
            proxy.signal(SIGHUP)
            try eventually("rejected reload \(number + 1) is logged") {
                proxy.stderrText.components(separatedBy: "reload rejected").count - 1 == number + 1
            }
        }

        XCTAssertNil(proxy.waitForExit(timeout: .milliseconds(200)), "holdfast expected to keep running")
        XCTAssertEqual(Set(proxy.workerPIDs()), workersBefore, "the workers expected untouched")
        XCTAssertEqual(try servingBackend("/v2/x"), "b1")
        XCTAssertEqual(try proxy.control.readyz().status, 200)
        XCTAssertEqual(try proxy.control.publish(channel: "kept", body: "still here\n").bodyText.contains("3"), true)
        for client in held { XCTAssertEqual(try client.readResponse().bodyText, "still here\n") }
    }
}
