import XCTest

/// When a backend fails only its sticky keys move, and they come back when it does (docs/architecture.md).
final class StickyFailoverTests: ThreeBackendTestCase {
    private let keys = (0..<60).map { "session-\($0)" }

    private func mapping() throws -> [String: String] {
        try keys.reduce(into: [:]) { chosen, key in chosen[key] = try servingBackend(headers: [("Cookie", "sid=\(key)")]) }
    }

    func testKeysOfACrashedBackendMoveAndComeBackWhenItReturns() throws {
        let proxy = try startProxy(config(sticky: "cookie:sid", workers: 2, health: Self.fastHealth))
        let before = try mapping()
        XCTAssertEqual(Set(before.values), Set(Self.names), "keys expected on every backend, got \(histogram(before))")

        crash("b2")
        // fall (2) × interval (200 ms), plus slack for a loaded machine.
        try eventually("/status shows b2 down", timeout: .seconds(2), interval: .milliseconds(50)) {
            try statusShows("b2", up: false)
        }
        XCTAssertEqual(try proxy.control.parsedMetrics().value("holdfast_backend_up", ["backend": "b2"]), 0)
        XCTAssertEqual(try proxy.control.parsedMetrics().value("holdfast_backend_up", ["backend": "b1"]), 1)
        // Workers learn of it from the master: allow them a moment.
        var during: [String: String] = [:]
        try eventually("no key reaches b2", timeout: .seconds(2), interval: .milliseconds(100)) {
            during = try mapping()
            return !during.values.contains("b2")
        }
        for key in keys {
            if before[key] == "b2" {
                XCTAssertTrue(["b1", "b3"].contains(during[key]), "key \(key) of b2 expected to move to b1 or b3, got \(during[key] ?? "-")")
            } else {
                XCTAssertEqual(during[key], before[key], "key \(key) of a healthy backend expected to stay")
            }
        }

        try restart("b2")
        // rise (2) × interval (200 ms), plus slack.
        try eventually("/status shows b2 up again", timeout: .seconds(2), interval: .milliseconds(50)) {
            try statusShows("b2", up: true)
        }
        var after: [String: String] = [:]
        try eventually("every key back where it was", timeout: .seconds(2), interval: .milliseconds(100)) {
            after = try mapping()
            return after == before
        }
        XCTAssertEqual(after, before)
    }
}
