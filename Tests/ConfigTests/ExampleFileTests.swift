import XCTest
@testable import Config

final class ExampleFileTests: XCTestCase {
    func testExampleParsesToItsValues() throws {
        let config = try ConfigLoader.load(path: repositoryFile("proxy.conf.example"))
        XCTAssertEqual(config.server.listen, [EndpointAddress(host: "127.0.0.1", port: 8080)])
        XCTAssertEqual(config.server.workers, 0)
        XCTAssertNil(config.server.tls)
        XCTAssertEqual(config.timeouts.hold, .seconds(55))
        XCTAssertEqual(config.control.listen, EndpointAddress(host: "127.0.0.1", port: 5561))
        XCTAssertNil(config.control.publishToken)
        XCTAssertEqual(config.backends, [BackendConfig(
            name: "app", address: EndpointAddress(host: "127.0.0.1", port: 9000), maxConnections: 8, weight: 1,
            health: HealthCheckConfig(path: "/health", interval: .seconds(2), timeout: .seconds(1), rise: 2, fall: 3))])
        XCTAssertEqual(config.routes, [RouteConfig(host: nil, pathPrefix: "/", backends: [0],
                                                   sticky: .cookie("sessionid"), subscribe: nil)])
    }

    /// Each key of the schema appears in the example (commented out or not) with the schema's doc
    /// comment, and with its default as the value or as "(default …)" in the comment.
    func testExampleDocumentsEveryKeyWithItsDefault() throws {
        let example = try String(contentsOfFile: repositoryFile("proxy.conf.example"), encoding: .utf8)
        let lines = keyLines(of: example)
        for spec in ConfigSchema.keys {
            let candidates = lines.filter { $0.section == spec.section.rawValue && $0.key == spec.name }
            let documented = candidates.contains { line in
                line.comment.hasPrefix(spec.doc) && spec.defaultValue.map {
                    line.value == $0.tomlText || line.comment.hasSuffix("(default \($0.tomlText))")
                } ?? true
            }
            XCTAssertTrue(documented, "proxy.conf.example: \(spec.section.rawValue).\(spec.name) needs a line "
                + "with its default \(spec.defaultValue?.tomlText ?? "(none)") and the comment \"\(spec.doc)\"")
        }
    }

    func testReferenceDocumentsEveryKeyWithItsDefault() throws {
        let reference = try String(contentsOfFile: repositoryFile("docs/configuration.md"), encoding: .utf8)
        var section = ""
        var rows: [(section: String, row: String)] = []
        for line in reference.split(separator: "\n") {
            if line.hasPrefix("## `[") { section = line.filter { !"#`[] ".contains($0) } }
            if line.hasPrefix("| `") { rows.append((section, String(line))) }
        }
        for spec in ConfigSchema.keys {
            let documented = rows.contains { entry in
                entry.section == spec.section.rawValue && entry.row.hasPrefix("| `\(spec.name)` |")
                    && spec.defaultValue.map { entry.row.contains("`\($0.tomlText)`") } ?? true
            }
            XCTAssertTrue(documented, "docs/configuration.md: section [\(spec.section.rawValue)] needs a row "
                + "| `\(spec.name)` | with its default \(spec.defaultValue?.tomlText ?? "(none)")")
        }
    }

    private struct KeyLine {
        var section: String
        var key: String
        var value: String
        var comment: String
    }

    /// `key = value  # comment` lines, commented out or not, with the table header above them.
    private func keyLines(of text: String) -> [KeyLine] {
        var section = ""
        var result: [KeyLine] = []
        for rawLine in text.split(separator: "\n") {
            let line = rawLine.drop { $0 == "#" || $0 == " " }
            if line.hasPrefix("[") {
                section = line.filter { $0 != "[" && $0 != "]" }
                continue
            }
            let parts = line.split(separator: "#", maxSplits: 1)
            let assignment = parts[0].split(separator: "=", maxSplits: 1)
            guard assignment.count == 2, let key = assignment.first?.trimmingCharacters(in: .whitespaces),
                  key.allSatisfy({ $0.isLetter || $0 == "_" }) else { continue }
            result.append(KeyLine(section: section, key: key,
                                  value: assignment[1].trimmingCharacters(in: .whitespaces),
                                  comment: parts.count == 2 ? parts[1].trimmingCharacters(in: .whitespaces) : ""))
        }
        return result
    }
}
