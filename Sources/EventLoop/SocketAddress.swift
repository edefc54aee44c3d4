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
    public var ipString: String {
        if let ipv4 { return Self.ipv4Text(ipv4) }
        var copy = storage
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: Int(INET6_ADDRSTRLEN)) { buffer in
            buffer[0] = 0
            withUnsafePointer(to: &copy) { pointer in
                pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { address in
                    withUnsafePointer(to: address.pointee.sin6_addr) {
                        _ = inet_ntop(AF_INET6, $0, buffer.baseAddress, socklen_t(buffer.count))
                    }
                }
            }
            return String(cString: buffer.baseAddress!)
        }
    }

    /// An IPv4 address in network byte order; nil for IPv6.
    var ipv4: UInt32? {
        guard family == AF_INET else { return nil }
        var copy = storage
        return withUnsafePointer(to: &copy) { pointer in
            pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr.s_addr }
        }
    }

    /// Dotted decimal, written by hand: a proxied request asks for its client's (X-Forwarded-For),
    /// and `inet_ntop` goes through `sprintf`.
    static func ipv4Text(_ address: UInt32) -> String {
        withUnsafeBytes(of: address) { octets in
            String(unsafeUninitializedCapacity: 15) { text in
                var count = 0
                for (index, octet) in octets.enumerated() {
                    if index > 0 { text[count] = UInt8(ascii: "."); count += 1 }
                    if octet >= 100 { text[count] = 0x30 + octet / 100; count += 1 }
                    if octet >= 10 { text[count] = 0x30 + octet / 10 % 10; count += 1 }
                    text[count] = 0x30 + octet % 10
                    count += 1
                }
                return count
            }
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
