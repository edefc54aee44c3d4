import Glibc

/// A failed socket call, with the call's name and errno's text.
struct SocketError: Error, CustomStringConvertible {
    let call: String
    let code: Int32
    init(_ call: String, code: Int32 = errno) {
        self.call = call
        self.code = code
    }
    var description: String { "\(call) failed: \(String(cString: strerror(code)))" }
}

private func loopbackAddress(port: UInt16) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    return address
}

/// A TCP port on 127.0.0.1 that nothing listens on right now (the kernel picked it).
func freePort() throws -> UInt16 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw SocketError("socket") }
    defer { close(fd) }
    var address = loopbackAddress(port: 0)
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Int32 in
            guard bind(fd, pointer, length) == 0 else { return -1 }
            return getsockname(fd, pointer, &length)
        }
    }
    guard bound == 0 else { throw SocketError("bind/getsockname") }
    return UInt16(bigEndian: address.sin_port)
}

/// A blocking TCP connection to 127.0.0.1:port (refused connections fail at once).
/// `receiveBufferBytes` shrinks SO_RCVBUF before connecting, so a client that does not read stalls its peer soon.
func connectLoopback(port: UInt16, receiveBufferBytes: Int32? = nil) throws -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw SocketError("socket") }
    if var size = receiveBufferBytes {
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
    }
    var address = loopbackAddress(port: port)
    let result = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }
    guard result == 0 else {
        let error = SocketError("connect to 127.0.0.1:\(port)")
        close(fd)
        throw error
    }
    var noDelay: Int32 = 1
    setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
    return fd
}

/// Whether something accepts connections on 127.0.0.1:port.
func isAcceptingConnections(port: UInt16) -> Bool {
    guard let fd = try? connectLoopback(port: port) else { return false }
    close(fd)
    return true
}

/// Waits until `fd` is readable (or has an error or hang-up); false when `deadline` passed first.
func waitReadable(_ fd: Int32, until deadline: ContinuousClock.Instant) -> Bool {
    while true {
        let remaining = ContinuousClock.now.duration(to: deadline)
        if remaining <= .zero { return false }
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let result = poll(&descriptor, 1, Int32(max(1, remaining.milliseconds)))
        if result > 0 { return true }
        if result < 0 && errno != EINTR { return true }
    }
}

extension Duration {
    /// Whole milliseconds, rounded up, for poll().
    var milliseconds: Int {
        let (seconds, attoseconds) = components
        return Int(seconds) * 1000 + Int((attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
    }
}
