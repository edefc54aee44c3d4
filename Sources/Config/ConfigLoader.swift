#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TOMLKit

/// Reads and validates the configuration file (docs/configuration.md).
public enum ConfigLoader {
    /// Reads the file at `path`; errors name it as given.
    public static func load(path: String) throws(ConfigError) -> ProxyConfig {
        let bytes: [UInt8]
        do {
            bytes = try readFile(path)
        } catch {
            throw ConfigError(problems: ["\(path): cannot read the file: \(error.reason)"])
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ConfigError(problems: ["\(path): expects UTF-8 text (got bytes that are not UTF-8)"])
        }
        return try parse(text, fileName: path)
    }

    /// Parses `text`; `fileName` starts every error line, with the line of the key when there is one.
    public static func parse(_ text: String, fileName: String) throws(ConfigError) -> ProxyConfig {
        // TOMLKit hands the text to C as a C string, which would silently end at a NUL.
        if let nul = text.firstIndex(of: "\0") {
            let (line, column) = lineAndColumn(of: nul, in: text)
            throw ConfigError(problems: ["\(fileName):\(line):\(column): expects text (got a NUL character)"])
        }
        let document: TOMLTable
        do {
            document = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            let start = error.source.begin
            throw ConfigError(problems: ["\(fileName):\(start.line):\(start.column): \(error.description)"])
        } catch {
            throw ConfigError(problems: ["\(fileName): \(error)"])
        }
        let problems = ProblemLog(fileName: fileName, keyLines: KeyLineIndex(text: text))
        let config = ConfigBuilder(problems: problems).build(document)
        guard problems.lines.isEmpty else { throw ConfigError(problems: problems.lines) }
        return config
    }
}

public struct ReadFailure: Error {
    public let reason: String
}

/// The whole file at `path`: also how the master reads the TLS certificates and keys the file names.
public func readFile(_ path: String) throws(ReadFailure) -> [UInt8] {
    let descriptor = open(path, O_RDONLY)
    guard descriptor >= 0 else { throw ReadFailure(reason: String(cString: strerror(errno))) }
    defer { close(descriptor) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        if count == 0 { return bytes }
        if count < 0 {
            if errno == EINTR { continue }
            throw ReadFailure(reason: String(cString: strerror(errno)))
        }
        bytes.append(contentsOf: chunk[..<count])
    }
}

/// 1-based, counting characters, as TOML parsers report positions.
private func lineAndColumn(of index: String.Index, in text: String) -> (line: Int, column: Int) {
    let before = text[..<index]
    let line = before.count(where: { $0 == "\n" }) + 1
    let lineStart = before.lastIndex(of: "\n").map(text.index(after:)) ?? text.startIndex
    return (line, text[lineStart..<index].count + 1)
}
