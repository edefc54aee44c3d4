/// Parses a duration written as a whole number and a unit: `"250ms"`, `"30s"`, `"5m"`, `"1h"`.
/// Fractions (`"1.5s"`) are refused: every duration can be written in a smaller unit instead.
/// Returns nil for anything else, including overflow; `"0s"` parses to `.zero` (keys decide if zero is allowed).
public func parseDuration(_ text: String) -> Duration? {
    let digits = text.prefix { $0.isASCII && $0.isNumber }
    let unit = text.dropFirst(digits.count)
    guard !digits.isEmpty, let amount = Int64(digits) else { return nil }
    let millisecondsPerUnit: Int64
    switch unit {
    case "ms": millisecondsPerUnit = 1
    case "s": millisecondsPerUnit = 1000
    case "m": millisecondsPerUnit = 60_000
    case "h": millisecondsPerUnit = 3_600_000
    default: return nil
    }
    let (milliseconds, overflow) = amount.multipliedReportingOverflow(by: millisecondsPerUnit)
    return overflow ? nil : .milliseconds(milliseconds)
}
