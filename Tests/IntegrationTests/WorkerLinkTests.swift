import Foundation
import Glibc
import XCTest

/// A worker started on its own, its link to the master held by the test: frames that do not
/// decode are logged and dropped, never a crash.
final class WorkerLinkTests: XCTestCase {
    func testMalformedFramesFromTheMasterAreLoggedNotFatal() throws {
        let worker = try LinkedWorker()
        defer { worker.stop() }
        // backendHealth whose flag count is all ones (-1 as a signed 64-bit count, 2^32 - 1 as u32).
        try worker.send([3] + [UInt8](repeating: 0xFF, count: 8))
        // An unknown frame kind, and one cut short.
        try worker.send([99])
        try worker.send([4, 0, 0])
        // statsRequest id 7: a worker still alive answers with a stats frame for id 7.
        try worker.send([4, 0, 0, 0, 0, 0, 0, 0, 7])
        let reply = try worker.receiveFrame(timeout: .seconds(5))
        XCTAssertEqual(reply.first, 2, "a stats frame expected, got \(reply.prefix(16))")
        XCTAssertEqual(Array(reply.dropFirst().prefix(8)), [0, 0, 0, 0, 0, 0, 0, 7])
        XCTAssertTrue(worker.isRunning)
        XCTAssertTrue(worker.stderrText.contains("undecodable frame from master"), worker.stderrText)
    }
}

/// `holdfast --worker` with the test holding the other end of its link socketpair.
private final class LinkedWorker {
    private let pid: pid_t
    private let link: Int32
    private let stderrPath: String

    init() throws {
        var fds: [Int32] = [0, 0]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0 else { throw SocketError("socketpair") }
        link = fds[0]
        stderrPath = try makeTemporaryDirectory().appendingPathComponent("worker.log").path
        let logFD = open(stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[1], 3)
        posix_spawn_file_actions_adddup2(&actions, logFD, 2)
        let binary = try Holdfast.binaryURL().path
        let arguments = [binary, "--worker", "--link-fd", "3", "--log-level", "debug"]
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var child: pid_t = 0
        let status = posix_spawn(&child, binary, &actions, nil, &argv, environ)
        close(fds[1])
        close(logFD)
        guard status == 0 else { throw SocketError("posix_spawn", code: status) }
        pid = child
    }

    var isRunning: Bool {
        var status: Int32 = 0
        return waitpid(pid, &status, WNOHANG) == 0
    }

    var stderrText: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    func send(_ payload: [UInt8]) throws {
        let length = UInt32(payload.count)
        let frame = [UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)] + payload
        guard write(link, frame, frame.count) == frame.count else { throw SocketError("write to worker link") }
    }

    func receiveFrame(timeout: Duration) throws -> [UInt8] {
        let deadline = ContinuousClock.now + timeout
        var received: [UInt8] = []
        while true {
            if received.count >= 4 {
                let length = Int(received[0]) << 24 | Int(received[1]) << 16 | Int(received[2]) << 8 | Int(received[3])
                if received.count >= 4 + length { return Array(received[4..<(4 + length)]) }
            }
            guard waitReadable(link, until: deadline) else { throw HarnessError("worker expected to answer within \(timeout), it did not") }
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = read(link, &buffer, buffer.count)
            guard count > 0 else { throw HarnessError("worker link closed (worker exited?)\n\(stderrText)") }
            received += buffer[..<count]
        }
    }

    func stop() {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        close(link)
    }
}
