@testable import Proxy
import XCTest

final class MasterHealthTests: XCTestCase {
    func testStartsUpAndGoesDownAfterFallConsecutiveFailures() {
        var state = BackendHealthState(rise: 2, fall: 3)
        XCTAssertTrue(state.isUp)
        XCTAssertNil(state.recordFailure())
        XCTAssertNil(state.recordFailure())
        XCTAssertEqual(state.recordFailure(), .wentDown)
        XCTAssertFalse(state.isUp)
        XCTAssertNil(state.recordFailure(), "already down: no second transition")
    }

    func testSuccessBreaksARunOfFailures() {
        var state = BackendHealthState(rise: 2, fall: 2)
        XCTAssertNil(state.recordFailure())
        XCTAssertNil(state.recordSuccess())
        XCTAssertNil(state.recordFailure())
        XCTAssertTrue(state.isUp)
        XCTAssertEqual(state.recordFailure(), .wentDown)
    }

    func testComesBackAfterRiseConsecutiveSuccesses() {
        var state = BackendHealthState(rise: 2, fall: 1)
        XCTAssertEqual(state.recordFailure(), .wentDown)
        XCTAssertNil(state.recordSuccess())
        XCTAssertNil(state.recordFailure())
        XCTAssertNil(state.recordSuccess())
        XCTAssertEqual(state.recordSuccess(), .wentUp)
        XCTAssertTrue(state.isUp)
    }

    func testPassiveFailuresCountWithActiveOnes() {
        var state = BackendHealthState(rise: 1, fall: 3)
        XCTAssertNil(state.recordFailure())
        XCTAssertNil(state.recordFailure())
        state.recordPassiveSuccess()
        XCTAssertEqual(state.consecutiveFailures, 0)
        XCTAssertNil(state.recordFailure())
        XCTAssertNil(state.recordFailure())
        XCTAssertEqual(state.recordFailure(), .wentDown)
    }

    func testPassiveSuccessDoesNotBringABackendUp() {
        var state = BackendHealthState(rise: 1, fall: 1)
        XCTAssertEqual(state.recordFailure(), .wentDown)
        state.recordPassiveSuccess()
        XCTAssertFalse(state.isUp)
        XCTAssertEqual(state.recordSuccess(), .wentUp)
    }

    func testRespawnBackoffGrowsWhileWorkersDieYoungAndResetsAfterAStableRun() {
        var backoff = RespawnBackoff()
        XCTAssertEqual(backoff.delay(afterLifetime: .milliseconds(20)), .milliseconds(80))
        XCTAssertEqual(backoff.delay(afterLifetime: .milliseconds(20)), .milliseconds(180))
        XCTAssertEqual(backoff.delay(afterLifetime: .milliseconds(500)), .zero, "lived longer than the 400 ms interval")
        for _ in 0..<10 { _ = backoff.delay(afterLifetime: .zero) }
        XCTAssertEqual(backoff.delay(afterLifetime: .zero), .seconds(5), "capped at 5 s")
        XCTAssertEqual(backoff.delay(afterLifetime: .seconds(11)), .zero)
        XCTAssertEqual(backoff.delay(afterLifetime: .zero), .milliseconds(100), "back to the first interval")
    }

    func testClientCapacityLeavesRoomForUpstreamAndReservedDescriptors() {
        XCTAssertEqual(FileLimit.clientCapacity(workers: 2, perProcessLimit: 20_000, upstreamPerWorker: 16), 2 * (20_000 - 64 - 16))
        XCTAssertEqual(FileLimit.clientCapacity(workers: 4, perProcessLimit: Int.max, upstreamPerWorker: 0), Int.max)
        XCTAssertEqual(FileLimit.clientCapacity(workers: 1, perProcessLimit: 10, upstreamPerWorker: 0), 0)
    }

    func testMasterReserveCoversLinksOfTwoGenerationsProbesAndListeners() {
        // 4 workers alive, 4 more at a reload, 1 spare end, 3 probes, 2 listeners twice.
        XCTAssertEqual(FileLimit.masterReserve(workersAlive: 4, workersPerGeneration: 4, backends: 3, listeningSockets: 2),
                       FileLimit.masterBaseline + 4 + 4 + 1 + 3 + 4)
    }

    func testControlCapacityIsTheCapUnlessTheReserveWouldNotFit() {
        XCTAssertEqual(FileLimit.controlCapacity(configured: 64, perProcessLimit: 20_000, reserve: 50), 64)
        XCTAssertEqual(FileLimit.controlCapacity(configured: 1000, perProcessLimit: 256, reserve: 50), 206)
        XCTAssertEqual(FileLimit.controlCapacity(configured: 64, perProcessLimit: 40, reserve: 50), 1, "/healthz stays reachable")
        XCTAssertEqual(FileLimit.controlCapacity(configured: 64, perProcessLimit: Int.max, reserve: 50), 64)
    }
}
