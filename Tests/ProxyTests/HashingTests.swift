import XCTest
@testable import Proxy

final class HashingTests: XCTestCase {
    private let threeApps = BackendSelector(backends: [(index: 0, name: "app1", weight: 1), (index: 1, name: "app2", weight: 1),
                                                       (index: 2, name: "app3", weight: 1)])

    private func equalBackends(_ count: Int) -> BackendSelector {
        BackendSelector(backends: (0..<count).map { (index: $0, name: "backend-\($0)", weight: 1) })
    }

    private let keys = (0..<20_000).map { "session-\($0)" }

    // A change to these values changes which backend every existing session lands on, in a
    // rolling upgrade where old and new instances run side by side: change them knowingly.
    func testHashValuesArePinned() {
        XCTAssertEqual(StableHash.hash(""), 0xefd0_1f60_ba99_2926)
        XCTAssertEqual(StableHash.hash("a"), 0x82a2_a958_a9be_ce5b)
        XCTAssertEqual(StableHash.hash("sessionid-42"), 0x2033_82ea_75ec_a97f)
    }

    func testPicksArePinned() {
        let expected = ["alice": 2, "bob": 0, "carol": 1, "dave": 0, "erin": 1, "frank": 0, "3f9a1c": 2, "10.0.0.7": 2]
        for (key, backend) in expected {
            XCTAssertEqual(threeApps.pick(key: key, isUp: { _ in true }), backend, "key \(key)")
        }
        let weighted = BackendSelector(backends: [(index: 4, name: "small", weight: 1), (index: 7, name: "big", weight: 3)])
        let expectedWeighted = ["alice": 7, "bob": 7, "carol": 4, "dave": 7, "erin": 7, "frank": 7]
        for (key, backend) in expectedWeighted {
            XCTAssertEqual(weighted.pick(key: key, isUp: { _ in true }), backend, "key \(key)")
        }
    }

    func testPickDependsOnBackendNamesNotTheirOrder() {
        let reordered = BackendSelector(backends: [(index: 2, name: "app3", weight: 1), (index: 0, name: "app1", weight: 1),
                                                   (index: 1, name: "app2", weight: 1)])
        for key in keys.prefix(2_000) {
            XCTAssertEqual(reordered.pick(key: key, isUp: { _ in true }), threeApps.pick(key: key, isUp: { _ in true }))
        }
    }

    func testOnlyTheDownedBackendsKeysMoveAndTheyReturnWhenItComesBack() {
        let selector = equalBackends(5)
        let down = 3
        for key in keys {
            let before = selector.pick(key: key, isUp: { _ in true })
            let during = selector.pick(key: key, isUp: { $0 != down })
            if before == down {
                XCTAssertNotEqual(during, down, "key \(key)")
            } else {
                XCTAssertEqual(during, before, "key \(key) moved off backend \(before!) although only \(down) went down")
            }
            XCTAssertEqual(selector.pick(key: key, isUp: { _ in true }), before, "key \(key) did not return")
        }
    }

    func testTheDownedBackendsKeysSpreadOverTheOthers() {
        let selector = equalBackends(4)
        var counts = [Int: Int]()
        for key in keys where selector.pick(key: key, isUp: { _ in true }) == 0 {
            counts[selector.pick(key: key, isUp: { $0 != 0 })!, default: 0] += 1
        }
        XCTAssertEqual(Set(counts.keys), [1, 2, 3])
        let total = Double(counts.values.reduce(0, +))
        for (backend, count) in counts {
            XCTAssertEqual(Double(count) / total, 1.0 / 3, accuracy: 0.05, "backend \(backend)")
        }
    }

    func testSharesFollowWeights() {
        let weights = [1, 2, 3, 4]
        let selector = BackendSelector(backends: weights.enumerated().map { (index: $0.offset, name: "b\($0.offset)", weight: $0.element) })
        var counts = Array(repeating: 0, count: weights.count)
        let keyCount = 100_000
        for number in 0..<keyCount {
            counts[selector.pick(key: "k\(number)", isUp: { _ in true })!] += 1
        }
        for (backend, weight) in weights.enumerated() {
            // Sampling alone gives a standard deviation under 0.0016 here.
            XCTAssertEqual(Double(counts[backend]) / Double(keyCount), Double(weight) / 10, accuracy: 0.01, "backend \(backend)")
        }
    }

    func testPickWithNoBackendUpIsNil() {
        XCTAssertNil(threeApps.pick(key: "alice", isUp: { _ in false }))
        XCTAssertNil(BackendSelector(backends: []).pick(key: "alice", isUp: { _ in true }))
    }

    func testPickUsesTheOnlyBackendUp() {
        XCTAssertEqual(threeApps.pick(key: "alice", isUp: { $0 == 1 }), 1)
    }

    func testLeastLoadedPicksTheLowestLoadPerWeight() {
        let selector = BackendSelector(backends: [(index: 10, name: "a", weight: 1), (index: 11, name: "b", weight: 4),
                                                  (index: 12, name: "c", weight: 1)])
        let loads = [10: 2, 11: 4, 12: 3]   // per weight: 2, 1, 3
        XCTAssertEqual(selector.leastLoaded(isUp: { _ in true }, load: { loads[$0]! }, tieBreak: 0), 11)
        XCTAssertEqual(selector.leastLoaded(isUp: { $0 != 11 }, load: { loads[$0]! }, tieBreak: 0), 10)
    }

    func testLeastLoadedTakesTiedBackendsInTurn() {
        let selector = BackendSelector(backends: [(index: 0, name: "a", weight: 1), (index: 1, name: "b", weight: 2),
                                                  (index: 2, name: "c", weight: 1), (index: 3, name: "d", weight: 1)])
        let loads = [1, 2, 1, 5]   // a, b and c tie at 1 per weight
        let picks = (0..<6).map { selector.leastLoaded(isUp: { _ in true }, load: { loads[$0] }, tieBreak: $0) }
        XCTAssertEqual(picks, [0, 1, 2, 0, 1, 2])
        XCTAssertEqual(selector.leastLoaded(isUp: { _ in true }, load: { loads[$0] }, tieBreak: -1), 2)
        XCTAssertEqual(selector.leastLoaded(isUp: { _ in true }, load: { loads[$0] }, tieBreak: Int.min), 1)
        XCTAssertEqual(selector.leastLoaded(isUp: { $0 != 1 }, load: { loads[$0] }, tieBreak: 1), 2)
    }

    func testLeastLoadedWithNoBackendUpIsNil() {
        XCTAssertNil(threeApps.leastLoaded(isUp: { _ in false }, load: { _ in 0 }, tieBreak: 0))
        XCTAssertNil(BackendSelector(backends: []).leastLoaded(isUp: { _ in true }, load: { _ in 0 }, tieBreak: 0))
    }
}
