import Glibc
import Wire

/// Length-prefixed messages over a stream socket (the master↔worker socketpair):
/// each frame is a 4-byte big-endian length, then that many bytes.
public final class FrameLink: SocketDelegate {
    public let socket: Socket
    private var inbound: [UInt8] = []
    private let onFrame: ([UInt8]) -> Void
    private let onClose: () -> Void

    /// Frames larger than this mean a corrupt stream, not a message.
    public static let maxFrameBytes = 64 * 1024 * 1024

    public init(base: EventBase, fd: Int32, onFrame: @escaping ([UInt8]) -> Void, onClose: @escaping () -> Void) {
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        socket = Socket(base: base, fd: fd)
        self.onFrame = onFrame
        self.onClose = onClose
        socket.delegate = self
        socket.watchReadable(timeout: nil)
    }

    @discardableResult
    public func send(_ payload: [UInt8]) -> Bool {
        var header = ByteWriter()
        header.u32(payload.count)
        // One buffer, so a frame costs one system call.
        return socket.write(header.output + payload)
    }

    public func close() {
        socket.close()
    }

    public func socket(_ socket: Socket, didRead bytes: UnsafeRawBufferPointer) {
        inbound.append(contentsOf: bytes)
        var start = 0
        while inbound.count - start >= 4 {
            var prefix = ByteReader(Array(inbound[start..<(start + 4)]))
            guard let length = try? prefix.u32("frame length") else { break }
            guard length <= Self.maxFrameBytes else {
                closeAndReport()
                return
            }
            guard inbound.count - start - 4 >= length else { break }
            let frame = Array(inbound[(start + 4)..<(start + 4 + length)])
            start += 4 + length
            onFrame(frame)
            guard socket.isOpen else { return }
        }
        inbound.removeFirst(start)
    }

    public func socketDidReadEOF(_ socket: Socket) { closeAndReport() }
    public func socketDidTimeOut(_ socket: Socket) {}
    public func socket(_ socket: Socket, didFail error: SocketError) { closeAndReport() }

    private func closeAndReport() {
        socket.close()
        onClose()
    }
}

/// A connected pair of Unix stream sockets, both close-on-exec.
public func makeSocketPair() throws(SocketError) -> (Int32, Int32) {
    var fds: [Int32] = [0, 0]
    guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0 else {
        throw SocketError(operation: "socketpair", errno: errno)
    }
    return (fds[0], fds[1])
}
