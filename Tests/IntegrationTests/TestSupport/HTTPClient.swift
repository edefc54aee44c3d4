import Foundation
import Glibc

/// A raw HTTP/1.1 client over one TCP connection: sends exactly the bytes it is given and
/// decodes responses (Content-Length, chunked or close-delimited bodies). Every read is bounded.
final class HTTPClient {
    private let fd: Int32
    private var received: [UInt8] = []
    private var peerClosed = false
    private var framing: BodyFraming?

    private enum BodyFraming {
        case length(remaining: Int)
        case chunked
        case untilClose
    }

    init(port: UInt16, receiveBufferBytes: Int32? = nil) throws {
        fd = try connectLoopback(port: port, receiveBufferBytes: receiveBufferBytes)
    }

    deinit { Glibc.close(fd) }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written < 0 {
                if errno == EINTR { continue }
                throw SocketError("send")
            }
            offset += written
        }
    }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    /// When this client is released, the peer gets a reset instead of an orderly close.
    func resetOnRelease() {
        var abort = linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort, socklen_t(MemoryLayout<linger>.size))
    }

    /// Half-closes: the peer reads end-of-file, and this side can still read.
    func shutdownWrite() { shutdown(fd, Int32(SHUT_WR)) }

    /// Sends a request; adds `Host: localhost` unless given and `Content-Length` when there is a body.
    func sendRequest(_ method: String, _ target: String, headers: [(String, String)] = [], body: [UInt8]? = nil) throws {
        try send(Self.requestBytes(method, target, headers: headers, body: body))
    }

    static func requestBytes(_ method: String, _ target: String, headers: [(String, String)] = [], body: [UInt8]? = nil) -> [UInt8] {
        var lines = ["\(method) \(target) HTTP/1.1"]
        if !headers.contains(where: { $0.0.lowercased() == "host" }) { lines.append("Host: localhost") }
        lines += headers.map { "\($0.0): \($0.1)" }
        if let body { lines.append("Content-Length: \(body.count)") }
        return Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8) + (body ?? [])
    }

    func get(_ target: String, headers: [(String, String)] = [], timeout: Duration = .seconds(5)) throws -> HTTPResponse {
        try sendRequest("GET", target, headers: headers)
        return try readResponse(timeout: timeout)
    }

    func post(_ target: String, body: String, headers: [(String, String)] = [], timeout: Duration = .seconds(5)) throws -> HTTPResponse {
        try sendRequest("POST", target, headers: headers, body: Array(body.utf8))
        return try readResponse(timeout: timeout)
    }

    func readResponse(timeout: Duration = .seconds(5)) throws -> HTTPResponse {
        let deadline = ContinuousClock.now + timeout
        let head = try readResponseHead(until: deadline)
        var body: [UInt8] = []
        while let part = try readBodyPart(until: deadline) { body += part }
        return HTTPResponse(head: head, body: body)
    }

    func readResponseHead(timeout: Duration = .seconds(5)) throws -> HTTPResponseHead {
        try readResponseHead(until: ContinuousClock.now + timeout)
    }

    /// The next piece of the current response's decoded body as it arrives (a whole chunk for
    /// chunked bodies); nil once the body is complete.
    func readBodyPart(timeout: Duration = .seconds(5)) throws -> [UInt8]? {
        try readBodyPart(until: ContinuousClock.now + timeout)
    }

    /// True when the peer closes (or resets) the connection before `timeout`; any bytes
    /// arriving meanwhile are kept for later reads.
    func isClosedByPeer(timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !peerClosed {
            guard waitReadable(fd, until: deadline) else { return false }
            _ = try? receive(waitingFor: "close")
        }
        return true
    }

    /// The next `count` bytes after what was read so far (a WebSocket's frames after its 101).
    func readBytes(_ count: Int, timeout: Duration = .seconds(5)) throws -> [UInt8] {
        let deadline = ContinuousClock.now + timeout
        while received.count < count { try fill(until: deadline, waitingFor: "\(count - received.count) more bytes") }
        defer { received.removeFirst(count) }
        return Array(received[..<count])
    }

    /// How many bytes arrived beyond what was read so far, waiting up to `timeout` for more
    /// (to prove nothing follows a response).
    func unreadByteCount(waiting timeout: Duration) -> Int {
        let deadline = ContinuousClock.now + timeout
        while !peerClosed, waitReadable(fd, until: deadline) {
            _ = try? receive(waitingFor: "extra bytes")
        }
        return received.count
    }

    private func readResponseHead(until deadline: ContinuousClock.Instant) throws -> HTTPResponseHead {
        while try readBodyPart(until: deadline) != nil {}  // the rest of an unread previous body
        let terminator = Array("\r\n\r\n".utf8)
        var searchFrom = 0
        while true {
            if let end = received.firstRange(of: terminator, from: searchFrom) {
                let head = try HTTPResponseHead(parsing: String(decoding: received[..<end.lowerBound], as: UTF8.self))
                received.removeFirst(end.upperBound)
                framing = Self.framing(of: head)
                return head
            }
            searchFrom = max(0, received.count - 3)
            try fill(until: deadline, waitingFor: "a response head")
        }
    }

    private static func framing(of head: HTTPResponseHead) -> BodyFraming? {
        if head.status == 204 || head.status == 304 || head.status < 200 { return nil }
        if let codings = head.header("Transfer-Encoding"), codings.lowercased().hasSuffix("chunked") { return .chunked }
        if let length = head.header("Content-Length").flatMap(Int.init) { return length > 0 ? .length(remaining: length) : nil }
        return .untilClose
    }

    private func readBodyPart(until deadline: ContinuousClock.Instant) throws -> [UInt8]? {
        switch framing {
        case nil:
            return nil
        case .length(let remaining):
            if received.isEmpty { try fill(until: deadline, waitingFor: "\(remaining) more body bytes") }
            let part = Array(received.prefix(remaining))
            received.removeFirst(part.count)
            framing = part.count == remaining ? nil : .length(remaining: remaining - part.count)
            return part
        case .chunked:
            return try readChunk(until: deadline)
        case .untilClose:
            if received.isEmpty && !peerClosed {
                do { try fill(until: deadline, waitingFor: "a close-delimited body") } catch HTTPClientError.closedByPeer {}
            }
            if received.isEmpty {
                framing = nil
                return nil
            }
            defer { received.removeAll() }
            return received
        }
    }

    private func readChunk(until deadline: ContinuousClock.Instant) throws -> [UInt8]? {
        let sizeLine = try readLine(until: deadline, waitingFor: "a chunk size line")
        let sizeText = sizeLine.split(separator: ";", maxSplits: 1).first.map(String.init) ?? ""
        guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else {
            throw HTTPClientError.malformedResponse("chunk size expected hex digits, got \(sizeLine.debugDescription)")
        }
        if size == 0 {
            while try !readLine(until: deadline, waitingFor: "the chunked trailer").isEmpty {}
            framing = nil
            return nil
        }
        while received.count < size + 2 { try fill(until: deadline, waitingFor: "a chunk of \(size) bytes") }
        guard received[size] == UInt8(ascii: "\r"), received[size + 1] == UInt8(ascii: "\n") else {
            throw HTTPClientError.malformedResponse("chunk data expected to end with CRLF")
        }
        defer { received.removeFirst(size + 2) }
        return Array(received[..<size])
    }

    private func readLine(until deadline: ContinuousClock.Instant, waitingFor what: String) throws -> String {
        let crlf = Array("\r\n".utf8)
        while true {
            if let end = received.firstRange(of: crlf, from: 0) {
                defer { received.removeFirst(end.upperBound) }
                return String(decoding: received[..<end.lowerBound], as: UTF8.self)
            }
            try fill(until: deadline, waitingFor: what)
        }
    }

    private func fill(until deadline: ContinuousClock.Instant, waitingFor what: String) throws {
        if peerClosed { throw HTTPClientError.closedByPeer(waitingFor: what) }
        guard waitReadable(fd, until: deadline) else {
            throw HTTPClientError.timedOut(waitingFor: what, bytesBuffered: received.count)
        }
        try receive(waitingFor: what)
    }

    private func receive(waitingFor what: String) throws {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if count > 0 {
            received += chunk[..<count]
        } else if count == 0 || errno == ECONNRESET {
            peerClosed = true
            throw HTTPClientError.closedByPeer(waitingFor: what)
        } else if errno != EINTR && errno != EAGAIN {
            throw SocketError("recv")
        }
    }
}

extension Array where Element == UInt8 {
    func firstRange(of pattern: [UInt8], from start: Int) -> Range<Int>? {
        guard count >= pattern.count, start <= count - pattern.count else { return nil }
        for index in start...(count - pattern.count) where self[index] == pattern[0] {
            if self[index..<(index + pattern.count)].elementsEqual(pattern) { return index..<(index + pattern.count) }
        }
        return nil
    }
}
