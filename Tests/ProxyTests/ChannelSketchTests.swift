@testable import Proxy
import XCTest

final class ChannelSketchTests: XCTestCase {
    private func sketch(_ names: some Sequence<String>) -> ChannelSketch {
        var sketch = ChannelSketch()
        for name in names { sketch.add(name) }
        return sketch
    }

    func testSmallCountsAreExact() {
        XCTAssertEqual(ChannelSketch().estimate, 0)
        for count in [1, 2, 3, 10, 20] {
            XCTAssertEqual(sketch((0..<count).map { "channel-\($0)" }).estimate, count)
        }
        XCTAssertEqual(Double(sketch((0..<1000).map { "channel-\($0)" }).estimate), 1000, accuracy: 20)
    }

    func testMergingCountsSharedChannelsOnce() {
        var first = sketch(["news", "sports", "weather"])
        first.merge(sketch(["sports", "weather", "markets"]))
        XCTAssertEqual(first.estimate, 4)
    }

    func testLargeCountsAreClose() {
        let estimate = Double(sketch((0..<100_000).map { "user-\($0)" }).estimate)
        XCTAssertEqual(estimate, 100_000, accuracy: 100_000 * 0.04)
    }

    func testSketchSurvivesTheStatsFrame() throws {
        var stats = WorkerStats()
        stats.channelSketch = sketch(["a", "b"])
        guard case let .stats(_, decoded) = try WorkerFrame(decoding: WorkerFrame.stats(id: 1, stats).encoded()) else {
            return XCTFail("expected a stats frame")
        }
        XCTAssertEqual(decoded.channelSketch.estimate, 2)
    }
}
