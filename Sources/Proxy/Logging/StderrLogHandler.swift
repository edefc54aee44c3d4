import Glibc
import Logging

/// Writes one line per event straight to stderr with `write(2)`: unbuffered, so lines from the master
/// and its workers interleave whole, and nothing is lost when a process exits or crashes.
public struct StderrLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    let formatter: LogLineFormatter

    public init(level: Logger.Level, format: LogFormat, role: String) {
        logLevel = level
        formatter = LogLineFormatter(format: format, role: role, pid: getpid())
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        if let error = event.error { merged["error"] = "\(error)" }
        let line = formatter.line(timestamp: Self.timestamp(), level: event.level,
                                  message: event.message.description, metadata: merged)
        let bytes = Array(line.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.write(2, $0.baseAddress! + offset, $0.count - offset) }
            if written > 0 {
                offset += written
            } else if written < 0 && errno == EINTR {
                continue
            } else {
                return
            }
        }
    }

    /// UTC, millisecond precision: `2026-11-21T19:00:00.123Z`.
    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(now.tv_nsec / 1_000_000), 3))Z"
    }
}

/// Routes every `Logger` of this process to stderr. Call once, first thing in `main`.
public func bootstrapLogging(level: Logger.Level, format: LogFormat, role: String) {
    LoggingSystem.bootstrap { _ in StderrLogHandler(level: level, format: format, role: role) }
}
