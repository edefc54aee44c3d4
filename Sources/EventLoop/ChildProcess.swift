import Glibc

/// Starting and reaping child processes (the master's workers).
public enum ChildProcess {
    /// Starts `executable` with `arguments`; the descriptors in `inherited` stay open in the child under
    /// the same numbers (every other descriptor here is close-on-exec).
    public static func spawn(executable: String, arguments: [String], inherited: [Int32]) throws(SocketError) -> pid_t {
        for fd in inherited { _ = fcntl(fd, F_SETFD, 0) }
        defer { for fd in inherited { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) } }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, nil, nil, argv, environ)
        guard status == 0 else { throw SocketError(operation: "spawn \(executable)", errno: status) }
        return pid
    }

    public enum Exit: Sendable, Equatable {
        case exited(Int32)
        case signaled(Int32)
    }

    /// Collects every child that has ended, without blocking.
    public static func reapExited() -> [(pid: pid_t, exit: Exit)] {
        var reaped: [(pid_t, Exit)] = []
        while true {
            var status: Int32 = 0
            let pid = waitpid(-1, &status, WNOHANG)
            guard pid > 0 else { return reaped }
            let signal = status & 0x7f
            reaped.append((pid, signal == 0 ? .exited((status >> 8) & 0xff) : .signaled(signal)))
        }
    }

    /// The path of the running executable, so workers are the same binary as the master.
    public static var currentExecutable: String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, 4095)
        return count > 0 ? String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self) : CommandLine.arguments[0]
    }
}
