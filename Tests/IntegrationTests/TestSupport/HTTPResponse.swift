/// A response head as the client received it.
struct HTTPResponseHead {
    var version: String
    var status: Int
    var reason: String
    var headers: [(name: String, value: String)]

    /// The first value of the header `name` (case-insensitive).
    func header(_ name: String) -> String? { values(of: name).first }

    func values(of name: String) -> [String] {
        headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }

    /// Parses `HTTP/1.x NNN reason` and `name: value` lines (the head without its final CRLF CRLF).
    init(parsing text: String) throws {
        let lines = text.components(separatedBy: "\r\n")
        let statusLine = lines[0]
        let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), parts[1].count == 3, let status = Int(parts[1]) else {
            throw HTTPClientError.malformedResponse("status line expected like \"HTTP/1.1 200 OK\", got \(statusLine.debugDescription)")
        }
        version = String(parts[0])
        self.status = status
        reason = parts.count > 2 ? String(parts[2]) : ""
        headers = try lines.dropFirst().map { line in
            guard let colon = line.firstIndex(of: ":") else {
                throw HTTPClientError.malformedResponse("header line expected a colon, got \(line.debugDescription)")
            }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
    }
}

/// A complete response: head and decoded body.
struct HTTPResponse {
    var head: HTTPResponseHead
    var body: [UInt8]

    var status: Int { head.status }
    var bodyText: String { String(decoding: body, as: UTF8.self) }
    func header(_ name: String) -> String? { head.header(name) }
}

enum HTTPClientError: Error, CustomStringConvertible {
    case timedOut(waitingFor: String, bytesBuffered: Int)
    case closedByPeer(waitingFor: String)
    case malformedResponse(String)

    var description: String {
        switch self {
        case .timedOut(let what, let buffered): "timed out waiting for \(what) (\(buffered) bytes buffered)"
        case .closedByPeer(let what): "connection closed by peer while waiting for \(what)"
        case .malformedResponse(let reason): "malformed response: \(reason)"
        }
    }
}
