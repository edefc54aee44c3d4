import Config
import EventLoop
import Glibc
import HTTP1

/// One active health check (docs/configuration.md, `[backend.health]`): connect, `GET path`, read the status line. 2xx and 3xx pass;
/// any other status, a refused or failed connection, or no answer within the timeout fail.
final class HealthProbe: SocketDelegate {
    enum Outcome: Equatable {
        case passed
        case failed(String)
    }

    private static let maxHeadBytes = 16384
    private let base: EventBase
    private let request: [UInt8]
    private let timeout: Duration
    private var parser = ResponseHeadParser(maxHeadBytes: maxHeadBytes, requestMethod: "GET")
    private var received: [UInt8] = []
    private var socket: Socket?
    private var completion: ((Outcome) -> Void)?
    /// One deadline for connect, send and answer together.
    private lazy var deadline = Timer(base: base) { [unowned self] in finish(.failed("no answer within \(timeout)")) }

    init(base: EventBase, backend: BackendConfig, completion: @escaping (Outcome) -> Void) {
        self.base = base
        request = Array(("GET \(backend.health.path) HTTP/1.1\r\nHost: \(backend.address)\r\n"
            + "Connection: close\r\nUser-Agent: holdfast-health\r\n\r\n").utf8)
        timeout = backend.health.timeout
        self.completion = completion
    }

    /// Starts the check; `completion` runs exactly once (right away if the connection cannot start).
    func start(address: SocketAddress) {
        deadline.schedule(after: timeout)
        do {
            socket = try Socket.connect(to: address, base: base, timeout: timeout, delegate: self)
        } catch {
            finish(.failed(Self.describe(error)))
        }
    }

    func socketDidConnect(_ socket: Socket) {
        socket.write(request)
        socket.watchReadable(timeout: nil)
    }

    func socket(_ socket: Socket, didRead bytes: UnsafeRawBufferPointer) {
        received.append(contentsOf: bytes)
        do throws(HTTPResponseError) {
            let result = try received.withUnsafeBytes { head in
                Result { () throws(HTTPResponseError) in try parser.parse(head) }
            }.get()
            guard case let .complete(head, _) = result else { return }
            finish((200..<400).contains(head.status) ? .passed : .failed("status \(head.status)"))
        } catch {
            finish(.failed("malformed response: \(error)"))
        }
    }

    func socketDidReadEOF(_ socket: Socket) { finish(.failed("connection closed before a response")) }
    func socketDidTimeOut(_ socket: Socket) { finish(.failed("no connection within \(timeout)")) }
    func socket(_ socket: Socket, didFail error: SocketError) { finish(.failed(Self.describe(error))) }

    /// Stops a check in flight without reporting it (the checker is going away).
    func cancel() {
        completion = nil
        finish(.passed)
    }

    private func finish(_ outcome: Outcome) {
        deadline.cancel()
        socket?.close()
        socket = nil
        guard let completion else { return }
        self.completion = nil
        completion(outcome)
    }

    /// `connection refused` rather than `connect: Connection refused`: the log line names the backend already.
    private static func describe(_ error: SocketError) -> String {
        error.message.prefix(1).lowercased() + error.message.dropFirst()
    }
}
