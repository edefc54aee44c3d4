/// How log lines look on stderr (`--log-format`).
public enum LogFormat: String, Sendable, CaseIterable {
    /// `2026-11-21T19:00:00.123Z info [master 1234] message key=value`
    case text
    /// One JSON object per line: `ts`, `level`, `role`, `pid`, `msg`, `metadata`.
    case json
}
