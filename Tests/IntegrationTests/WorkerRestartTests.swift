import Glibc
import XCTest

/// A crashed worker is respawned by the master and service resumes.
final class WorkerRestartTests: ScenarioTestCase {
    func testKilledWorkerIsReplacedAndRequestsSucceedAgain() throws {
        let proxy = try startProxy { config in config.server["workers"] = 1 }
        try eventually("the master has one worker") { proxy.workerPIDs().count == 1 }
        let killed = proxy.workerPIDs()[0]
        XCTAssertEqual(kill(killed, SIGKILL), 0)
        try eventually("a new worker serves requests", timeout: .seconds(10), interval: .milliseconds(100)) {
            let workers = proxy.workerPIDs()
            guard !workers.isEmpty, !workers.contains(killed) else { return false }
            return try proxy.client().get("/", timeout: .seconds(1)).status == 200
        }
        XCTAssertEqual(proxy.workerPIDs().count, 1)
    }
}
