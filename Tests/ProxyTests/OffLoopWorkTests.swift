import EventLoop
import XCTest

/// `OffLoopWork` (EventLoop) as the master uses it: results come back on the loop, in submission order.
final class OffLoopWorkTests: XCTestCase {
    func testResultsComeBackOnTheLoopInOrder() throws {
        let base = EventBase()
        let work = try OffLoopWork(base: base)
        var results: [Int] = []
        for job in 1...3 {
            work.run({ (0...(job * 100_000)).reduce(0, +) }) { sum in
                results.append(sum)
                if results.count == 3 { base.stop() }
            }
        }
        let deadline = Timer(base: base) { base.stop() }
        deadline.schedule(after: .seconds(10))
        base.run()
        deadline.cancel()
        XCTAssertEqual(results, [5_000_050_000, 20_000_100_000, 45_000_150_000])
    }
}
