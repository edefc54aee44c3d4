import Foundation
import Glibc

extension Process {
    /// The exit status, or 128 + signal number when a signal ended it (the shell's convention);
    /// nil if still running after `timeout`.
    func waitForExit(timeout: Duration) -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while isRunning {
            if ContinuousClock.now >= deadline { return nil }
            usleep(10_000)
        }
        return terminationReason == .exit ? terminationStatus : 128 + terminationStatus
    }

    /// SIGTERM, then SIGKILL if it has not exited after `grace`; children it leaves behind are killed too.
    func stop(grace: Duration = .seconds(3)) {
        guard isRunning else { return }
        let pid = processIdentifier
        let children = childPIDs(of: pid)
        kill(pid, SIGTERM)
        if waitForExit(timeout: grace) == nil {
            kill(pid, SIGKILL)
            _ = waitForExit(timeout: .seconds(5))
        }
        // No worker may outlive its test, whatever the master did on the way out.
        for child in children where kill(child, 0) == 0 { kill(child, SIGKILL) }
    }
}

/// The live processes whose parent is `parent`, read from /proc/<pid>/stat.
func childPIDs(of parent: pid_t) -> [pid_t] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap { entry -> pid_t? in
        guard let pid = pid_t(entry),
              let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
              let commandEnd = stat.lastIndex(of: ")") else { return nil }
        // After "pid (comm) " come the state and the parent's pid; comm itself may hold spaces.
        let fields = stat[stat.index(after: commandEnd)...].split(separator: " ")
        guard fields.count > 1, fields[0] != "Z", pid_t(fields[1]) == parent else { return nil }
        return pid
    }.sorted()
}
