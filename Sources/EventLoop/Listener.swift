import CLibevent
import Glibc

/// Accepts connections on a listening descriptor (opened here or inherited from the master).
/// Pausing stops accepting, so that a process at its connection limit leaves new clients to the others.
public final class Listener {
    private unowned let base: EventBase
    public let fd: Int32
    private var event: UnsafeMutablePointer<event>?
    private let onAccept: (Int32, SocketAddress) -> Void
    private let onError: (SocketError) -> Void
    private var isPaused = true
    /// Accept failures like EMFILE pause accepting briefly instead of spinning on a ready socket.
    private static let acceptsPerWakeUp = 1
    private lazy var resumeTimer = Timer(base: base) { [unowned self] in self.resume() }

    public init(base: EventBase, fd: Int32, onAccept: @escaping (Int32, SocketAddress) -> Void,
                onError: @escaping (SocketError) -> Void) {
        self.base = base
        self.fd = fd
        self.onAccept = onAccept
        self.onError = onError
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        event = event_new(base.raw, fd, Int16(EV_READ | EV_PERSIST), Self.callback, Unmanaged.passUnretained(self).toOpaque())
    }

    deinit {
        if let event { event_free(event) }
    }

    public func resume() {
        isPaused = false
        event_add(event, nil)
    }

    public func pause() {
        // An owner's pause outlasts an accept back-off still pending.
        resumeTimer.cancel()
        isPaused = true
        event_del(event)
    }

    /// Stops accepting for good and closes the descriptor.
    public func close() {
        pause()
        Glibc.close(fd)
    }

    private static let callback: event_callback_fn = { _, _, arg in
        let listener = Unmanaged<Listener>.fromOpaque(arg!).takeUnretainedValue()
        withExtendedLifetime(listener) { listener.acceptReady() }
    }

    /// Accepts one connection per wake-up: every worker waits on the same queue, and taking one at a
    /// time lets each take its turn instead of the first to wake taking a whole burst (nginx's
    /// `multi_accept off`).
    private func acceptReady() {
        for _ in 0..<Self.acceptsPerWakeUp where !isPaused {
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let client = withUnsafeMutablePointer(to: &storage) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    holdfast_accept4(fd, $0, &length, Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue))
                }
            }
            if client >= 0 {
                onAccept(client, SocketAddress(storage: storage, length: length))
                continue
            }
            switch errno {
            case EAGAIN, EINTR, ECONNABORTED:
                return
            case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                onError(SocketError(operation: "accept", errno: errno))
                pause()
                resumeTimer.schedule(after: .milliseconds(100))
                return
            default:
                onError(SocketError(operation: "accept", errno: errno))
                return
            }
        }
    }
}

/// Opens a listening TCP socket (SO_REUSEADDR, close-on-exec, non-blocking). The default backlog
/// asks for the longest accept queue the kernel gives (it caps it at `net.core.somaxconn`), so that
/// setting alone decides how big a connect burst waits rather than having its SYNs dropped.
public func openListeningSocket(_ address: SocketAddress, backlog: Int32 = 65535) throws(SocketError) -> Int32 {
    let fd = socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw SocketError(operation: "socket", errno: errno) }
    var one: Int32 = 1
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
    if address.family == AF_INET6 {
        setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &one, socklen_t(MemoryLayout<Int32>.size))
    }
    let bound = address.withSockaddr { bind(fd, $0, $1) }
    guard bound == 0 else {
        let error = SocketError(operation: "bind \(address)", errno: errno)
        Glibc.close(fd)
        throw error
    }
    guard listen(fd, backlog) == 0 else {
        let error = SocketError(operation: "listen \(address)", errno: errno)
        Glibc.close(fd)
        throw error
    }
    return fd
}
