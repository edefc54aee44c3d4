import XCTest
@testable import Config

/// The problems `text` is refused with; fails the test if it is accepted.
func problems(of text: String, file: StaticString = #filePath, line: UInt = #line) -> [String] {
    do {
        _ = try ConfigLoader.parse(text, fileName: "proxy.conf")
        XCTFail("expected the configuration to be refused", file: file, line: line)
        return []
    } catch {
        return error.problems
    }
}

/// The configuration `text` parses to; fails the test with the problems if it is refused.
func config(of text: String, file: StaticString = #filePath, line: UInt = #line) -> ProxyConfig? {
    do {
        return try ConfigLoader.parse(text, fileName: "proxy.conf")
    } catch {
        XCTFail("refused: \(error)", file: file, line: line)
        return nil
    }
}

/// A valid file to break one key at a time.
let validBase = """
[[backend]]
name = "app"
address = "127.0.0.1:9000"

[[route]]
path_prefix = "/"
backends = ["app"]

"""

/// A file of the repository, found from this source file so tests run from any directory.
func repositoryFile(_ relativePath: String) -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent(relativePath).path
}
