import CLibevent
import Glibc

/// A resolved IPv4 or IPv6 socket address.
public struct SocketAddress: Sendable, CustomStringConvertible {
    var storage: sockaddr_storage
    var length: socklen_t

    init(storage: sockaddr_storage, length: socklen_t) {
        self.storage = storage
        self.length = length
    }

    /// Resolves `host` (an IP literal, or a name through the system resolver) and `port`.
    /// Blocking: call while loading configuration, never on a hot path.
    public static func resolve(host: String, port: UInt16) throws(SocketError) -> SocketAddress {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw SocketError(operation: "resolve \(host)", code: status, message: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(list) }
        var storage = sockaddr_storage()
        withUnsafeMutableBytes(of: &storage) { dst in
            dst.copyMemory(from: UnsafeRawBufferPointer(start: first.pointee.ai_addr, count: Int(first.pointee.ai_addrlen)))
        }
        return SocketAddress(storage: storage, length: first.pointee.ai_addrlen)
    }

    public var family: Int32 { Int32(storage.ss_family) }

    /// The address without port: `127.0.0.1`, `::1`.
    /// Formatted on the stack: a proxied request asks for its client's (X-Forwarded-For).
    public var ipString: String {
        var copy = storage
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: Int(INET6_ADDRSTRLEN)) { buffer in
            buffer[0] = 0
            withUnsafePointer(to: &copy) { pointer in
                pointer.withMemoryRebound(to: UInt8.self, capacity: MemoryLayout<sockaddr_storage>.size) { bytes in
                    if family == AF_INET {
                        let offset = MemoryLayout<sockaddr_in>.offset(of: \.sin_addr)!
                        _ = inet_ntop(AF_INET, bytes + offset, buffer.baseAddress, socklen_t(buffer.count))
                    } else {
                        let offset = MemoryLayout<sockaddr_in6>.offset(of: \.sin6_addr)!
                        _ = inet_ntop(AF_INET6, bytes + offset, buffer.baseAddress, socklen_t(buffer.count))
                    }
                }
            }
            return String(cString: buffer.baseAddress!)
        }
    }

    public var port: UInt16 {
        var copy = storage
        return withUnsafePointer(to: &copy) { pointer in
            pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) }
        }
    }

    public var description: String { family == AF_INET6 ? "[\(ipString)]:\(port)" : "\(ipString):\(port)" }

    func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        var copy = storage
        return withUnsafePointer(to: &copy) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) }
        }
    }
}

public struct SocketError: Error, CustomStringConvertible, Sendable {
    public var operation: String
    public var code: Int32
    public var message: String

    init(operation: String, code: Int32, message: String) {
        self.operation = operation
        self.code = code
        self.message = message
    }

    init(operation: String, errno code: Int32) {
        self.init(operation: operation, code: code, message: String(cString: strerror(code)))
    }

    public var description: String { "\(operation): \(message)" }
}
