import Foundation

/// A /metrics answer parsed strictly as the Prometheus text format: every line is a `# HELP`,
/// a `# TYPE` or a sample `name{label="value",...} number`; anything else is an error.
struct PrometheusText {
    struct Sample {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    private(set) var samples: [Sample] = []
    /// Metric family name to its declared type.
    private(set) var types: [String: String] = [:]

    init(parsing text: String) throws {
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
            let where_ = "line \(number + 1) \(String(line).debugDescription)"
            if line.hasPrefix("#") {
                try parseComment(line, where_)
            } else {
                samples.append(try Self.parseSample(Substring(line), where_))
            }
        }
    }

    /// The value of the one sample called `name` whose labels include `labels`; nil when there is none.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { sample in sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value } }?.value
    }

    /// Whether any sample of the family `name` exists.
    func has(_ name: String) -> Bool { samples.contains { $0.name == name } }

    private mutating func parseComment(_ line: Substring, _ where_: String) throws {
        let words = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false)
        guard words.count >= 3, words[0] == "#", words[1] == "HELP" || words[1] == "TYPE", Self.isMetricName(words[2]) else {
            throw HarnessError("\(where_): expected \"# HELP name text\" or \"# TYPE name type\"")
        }
        if words[1] == "TYPE" {
            let kinds: Set<Substring> = ["counter", "gauge", "histogram", "summary", "untyped"]
            guard words.count == 4, kinds.contains(words[3]) else {
                throw HarnessError("\(where_): TYPE expected one of \(kinds.sorted())")
            }
            types[String(words[2])] = String(words[3])
        }
    }

    private static func parseSample(_ line: Substring, _ where_: String) throws -> Sample {
        let nameEnd = line.firstIndex { $0 == "{" || $0 == " " } ?? line.endIndex
        let name = line[..<nameEnd]
        guard isMetricName(name) else { throw HarnessError("\(where_): expected a metric name first") }
        var rest = line[nameEnd...]
        var labels: [String: String] = [:]
        if rest.first == "{" {
            rest = rest.dropFirst()
            while rest.first != "}" {
                guard let equals = rest.firstIndex(of: "="), isLabelName(rest[..<equals]),
                      rest[rest.index(after: equals)...].first == "\"" else {
                    throw HarnessError("\(where_): expected label=\"value\"")
                }
                let label = String(rest[..<equals])
                rest = rest[rest.index(equals, offsetBy: 2)...]
                var value = ""
                while let character = rest.first, character != "\"" {
                    rest = rest.dropFirst()
                    if character == "\\" {
                        guard let escaped = rest.first else { break }
                        rest = rest.dropFirst()
                        value.append(escaped == "n" ? "\n" : escaped)
                    } else {
                        value.append(character)
                    }
                }
                guard rest.first == "\"" else { throw HarnessError("\(where_): label \(label) expected a closing quote") }
                rest = rest.dropFirst()
                labels[label] = value
                if rest.first == "," { rest = rest.dropFirst() } else if rest.first != "}" {
                    throw HarnessError("\(where_): expected \",\" or \"}\" after label \(label)")
                }
            }
            rest = rest.dropFirst()
        }
        let fields = rest.split(separator: " ")
        guard rest.first == " ", (1...2).contains(fields.count), let value = Double(fields[0]) ?? specialValue(fields[0]) else {
            throw HarnessError("\(where_): expected \" value\" (optionally a timestamp) after the name and labels")
        }
        return Sample(name: String(name), labels: labels, value: value)
    }

    private static func specialValue(_ text: Substring) -> Double? {
        switch text {
        case "+Inf": .infinity
        case "-Inf": -.infinity
        case "NaN": .nan
        default: nil
        }
    }

    private static func isMetricName(_ text: Substring) -> Bool {
        guard let first = text.first, first.isASCII, first.isLetter || first == "_" || first == ":" else { return false }
        return text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ":") }
    }

    private static func isLabelName(_ text: Substring) -> Bool {
        guard let first = text.first, first.isASCII, first.isLetter || first == "_" else { return false }
        return text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
    }
}

extension ControlClient {
    /// GET /metrics, parsed.
    func parsedMetrics() throws -> PrometheusText { try PrometheusText(parsing: metrics()) }
}
