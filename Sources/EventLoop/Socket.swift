import CLibevent
import Glibc

/// A non-blocking TCP or Unix stream socket driven by bare libevent events instead of a bufferevent:
/// an idle socket costs this one object, its read event inside, with no buffers. Reads land in the loop's
/// shared scratch buffer; writes go straight to the kernel, and only what the kernel refuses is queued,
/// with write readiness requested only then. A socket accepted on a TLS listener reads and writes
/// through its `TLSStream` instead, after the handshake; its owner does not see the difference.
///
/// An open socket keeps itself (and so its delegate) alive; `close()` releases both.
public final class Socket {
    /// The read event, inside this object rather than a block of its own (`event_assign`, not
    /// `event_new`): it must stay the first stored property (`readEvent`). Every held client has one.
    private var readEventStorage = event()
    // Field order packs the object, the event included, into the 192-byte malloc class.
    private unowned let base: EventBase
    public var delegate: SocketDelegate?
    /// The write wait, or a TLS connection's stream with its write wait: one slot, so a plain
    /// socket that is caught up keeps nothing here.
    private var attachment: Attachment?
    /// An IPv4 peer's address from `accept` (network byte order), 0 otherwise: asking a client's
    /// address per request costs neither memory nor `getpeername`.
    private let acceptedIPv4: UInt32
    private var state: State
    /// Set by owners that want `socketWriteDidStall`: queued output that made no progress for the
    /// loop's `writeStallTimeout` (a peer that stopped reading).
    public var reportsWriteStalls = false

    /// A connect in progress, output the kernel has not taken yet, or a failure to report from the
    /// loop: what needs the write event, which lives and dies with it.
    private final class WriteWait {
        let event: UnsafeMutablePointer<event>
        var bytes: [UInt8] = []
        var start = 0
        /// Set with the failing states: the error of a write or connect that failed inside a call.
        var deferredErrno: Int32 = 0
        var count: Int { bytes.count - start }

        init(event: UnsafeMutablePointer<event>) { self.event = event }
        deinit { event_free(event) }
    }

    private enum Attachment {
        case writeWait(WriteWait)
        case tls(TLSAttachment)
    }

    private final class TLSAttachment {
        let stream: TLSStream
        var writeWait: WriteWait?
        init(stream: TLSStream) { self.stream = stream }
    }

    /// Exists only while write readiness is wanted: nil (no memory at all) whenever the socket is caught up.
    private var writeWait: WriteWait? {
        get {
            switch attachment {
            case let .writeWait(wait)?: wait
            case let .tls(tls)?: tls.writeWait
            case nil: nil
            }
        }
        set {
            if case let .tls(tls)? = attachment {
                tls.writeWait = newValue
            } else {
                attachment = newValue.map(Attachment.writeWait)
            }
        }
    }

    /// Set for a connection accepted on a TLS listener.
    private var tls: TLSStream? { if case let .tls(tls)? = attachment { tls.stream } else { nil } }

    /// The event's own copy of the descriptor: the object keeps no second one.
    public var fd: Int32 { readEvent.pointee.ev_fd }

    private enum State: UInt8 {
        /// `failingToConnect`, `failingToWrite`: the call failed inside a call; the delegate hears it
        /// from the loop, once.
        case connecting, open, failingToConnect, failingToWrite, failed, lingering, closed
    }

    /// Adopts a non-blocking descriptor (accepted with `SOCK_NONBLOCK`, or made so by its owner). With `tls`, the client's
    /// handshake comes first, within the acceptor's handshake timeout; what is written meanwhile waits.
    /// `peer`: the address `accept` gave, if any.
    public init(base: EventBase, fd: Int32, tls acceptor: TLSAcceptor? = nil, peer: SocketAddress? = nil,
                delegate: SocketDelegate? = nil) {
        self.base = base
        self.delegate = delegate
        acceptedIPv4 = peer?.ipv4 ?? 0
        attachment = acceptor.flatMap { TLSStream(acceptor: $0, fd: fd, now: base.nowMilliseconds) }
            .map { .tls(TLSAttachment(stream: $0)) }
        state = .open
        event_assign(readEvent, base.raw, fd, Int16(EV_READ | EV_PERSIST), Self.readCallback, Unmanaged.passUnretained(self).toOpaque())
        _ = Unmanaged.passRetained(self)
        if acceptor != nil && tls == nil { failFromLoop(errno: ENOMEM) }
    }

    /// Starts a non-blocking connect; the delegate hears `socketDidConnect`, a failure, or a timeout,
    /// always from the event loop (a connect refused at once is reported like a late refusal).
    /// Throws only when no socket can be made at all.
    public static func connect(to address: SocketAddress, base: EventBase, timeout: Duration,
                               delegate: SocketDelegate? = nil) throws(SocketError) -> Socket {
        let fd = Glibc.socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SocketError(operation: "socket", errno: errno) }
        let socket = Socket(base: base, fd: fd, delegate: delegate)
        socket.setNoDelay()
        let result = address.withSockaddr { Glibc.connect(fd, $0, $1) }
        socket.state = .connecting
        socket.armWrite(timeout: timeout)
        if result != 0 && errno != EINPROGRESS { socket.failFromLoop(errno: errno) }
        return socket
    }

    /// `readEventStorage`'s address: an object never moves, and the field is only ever used through
    /// this pointer (by libevent, and by `fd`), never as a Swift value.
    private var readEvent: UnsafeMutablePointer<event> {
        _getUnsafePointerToStoredProperties(self).assumingMemoryBound(to: event.self)
    }

    /// Whether writes can still be made. Failures reach the delegate as `socket(_:didFail:)`: callers
    /// never need to poll this.
    public var isOpen: Bool { state == .open || state == .connecting }
    /// `close()` or `closeAfterFlush()` was called (a failed socket is not open, but not closed yet).
    public var wasClosed: Bool { state == .lingering || state == .closed }
    public var pendingOutputBytes: Int { writeWait?.count ?? 0 }
    /// Accepted on a TLS listener (relayed requests say `X-Forwarded-Proto: https`).
    public var isEncrypted: Bool { tls != nil }

    /// The other end's IP address as text (`127.0.0.1`, `::1`); empty once the socket is gone.
    public var peerIP: String {
        if acceptedIPv4 != 0 { return SocketAddress.ipv4Text(acceptedIPv4) }
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &length) }
        }
        return status == 0 ? SocketAddress(storage: storage, length: length).ipString : ""
    }

    /// Runs `action` once, when the descriptor is closed (after lingering, too): for owners that
    /// count descriptors. Kept by the loop, not here, so the sockets that need none pay nothing.
    public func onClose(_ action: @escaping () -> Void) {
        base.watchClose(of: fd, action)
    }

    public func setNoDelay() {
        var one: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    // MARK: Reading

    /// Delivers readable bytes to the delegate until stopped. A `timeout` restarts at every call and
    /// after every read; equal timeouts share one O(1) libevent queue (common timeouts).
    public func watchReadable(timeout: Duration?) {
        armRead(timeout.map(base.commonTimeval))
    }

    /// Like `watchReadable(timeout:)` for a one-off remaining time (kept in libevent's heap).
    public func watchReadable(exactTimeout: Duration) {
        armRead(EventBase.timevalFor(exactTimeout))
    }

    public func stopWatchingReadable() {
        event_del(readEvent)
    }

    private func armRead(_ timeout: timeval?) {
        guard isOpen || state == .lingering else { return }
        if var tv = timeout {
            event_add(readEvent, &tv)
        } else {
            // Adding without a timeout keeps an earlier one: drop it explicitly (no system call).
            event_add(readEvent, nil)
            event_remove_timer(readEvent)
        }
    }

    private static let readCallback: event_callback_fn = { _, flags, arg in
        let socket = Unmanaged<Socket>.fromOpaque(arg!).takeUnretainedValue()
        // The delegate too stays alive for the whole call, even if it closes this socket.
        withExtendedLifetime((socket, socket.delegate)) { socket.readReady(timedOut: Int32(flags) & EV_TIMEOUT != 0) }
    }

    private func readReady(timedOut: Bool) {
        if state == .lingering {
            lingerRead(timedOut: timedOut)
            return
        }
        if let tls, tls.isHandshaking {
            return timedOut ? failHandshake(tls, .timeout, detail: "not finished in time") : continueHandshake(tls)
        }
        if timedOut {
            delegate?.socketDidTimeOut(self)
            return
        }
        let count = receive()
        if count > 0 {
            delegate?.socket(self, didRead: UnsafeRawBufferPointer(rebasing: base.scratch[..<count]))
        } else if count == 0 {
            stopWatchingReadable()
            delegate?.socketDidReadEOF(self)
        } else if errno != EAGAIN && errno != EINTR {
            fail(SocketError(operation: "read", errno: errno))
        }
    }

    /// One read into the scratch buffer, through TLS when there is one; `read(2)`'s conventions.
    private func receive() -> Int {
        guard let tls else { return Glibc.read(fd, base.scratch.baseAddress, base.scratch.count) }
        let count = tls.read(fd: fd, into: base.scratch)
        if let reply = tls.takeReply() {
            let readErrno = errno
            writeWire(reply)
            errno = readErrno
        }
        return count
    }

    /// `send(2)`'s conventions, through OpenSSL while it has the connection.
    private func transmit(_ bytes: UnsafeRawPointer, count: Int) -> Int {
        if let tls, !tls.sealsRecords { return tls.write(bytes, count: count) }
        return Glibc.send(fd, bytes, count, Int32(MSG_NOSIGNAL))
    }

    // MARK: TLS handshake

    private func continueHandshake(_ tls: TLSStream) {
        switch tls.handshake() {
        case .done:
            // Written during the handshake, queued as plaintext: now records, if the stream seals its own.
            if tls.sealsRecords, let queue = writeWait, queue.count > 0 {
                queue.bytes = queue.bytes.withUnsafeBytes { tls.seal(UnsafeRawBufferPointer(rebasing: $0[queue.start...])) }
                queue.start = 0
            }
            if pendingOutputBytes > 0 {
                armWrite(timeout: reportsWriteStalls ? base.writeStallTimeout : nil)
                flushPending()
            } else {
                writeWait = nil
            }
        case .wantRead:
            // Write readiness is wanted only while a handshake flight waits for the kernel.
            if let writeWait { event_del(writeWait.event) }
            // Each flight restarted the read timer: what is left of the deadline, so a trickling handshake still ends on time.
            let remaining = tls.handshakeDeadline - base.nowMilliseconds
            guard remaining > 0 else { return failHandshake(tls, .timeout, detail: "not finished in time") }
            armRead(EventBase.timevalFor(.milliseconds(remaining)))
        case .wantWrite:
            armWrite(timeout: nil)
        case let .failed(reason, detail):
            failHandshake(tls, reason, detail: detail)
        }
    }

    private func failHandshake(_ tls: TLSStream, _ reason: TLSHandshakeFailure, detail: String) {
        tls.acceptor.countFailure(reason)
        fail(SocketError(operation: "tls handshake", code: 0, message: "\(reason.rawValue): \(detail)"))
    }

    // MARK: Writing

    /// Writes now as far as the kernel takes it; queues the rest. False when the socket is unusable;
    /// a write that fails here is reported to the delegate from the loop.
    @discardableResult
    public func write(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard state == .open else { return false }
        guard !bytes.isEmpty else { return true }
        if let tls {
            if tls.isHandshaking {
                // Sent when the handshake is done.
                makeWriteWait().bytes.append(contentsOf: bytes)
                return true
            }
            if tls.sealsRecords { return tls.seal(bytes).withUnsafeBytes { writeWire($0) } }
        }
        return writeWire(bytes)
    }

    /// `bytes` as they go on the wire: sent now as far as the kernel takes them, the rest queued
    /// behind what already is.
    @discardableResult
    private func writeWire(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if let writeWait {
            writeWait.bytes.append(contentsOf: bytes)
            return true
        }
        var offset = 0
        while offset < bytes.count {
            let sent = transmit(bytes.baseAddress! + offset, count: bytes.count - offset)
            if sent > 0 {
                offset += sent
            } else if sent < 0 && errno == EINTR {
                continue
            } else if sent < 0 && errno == EAGAIN {
                break
            } else {
                failFromLoop(errno: errno)
                return false
            }
        }
        if offset < bytes.count {
            makeWriteWait().bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[offset...]))
            armWrite(timeout: reportsWriteStalls ? base.writeStallTimeout : nil)
        }
        return true
    }

    @discardableResult
    private func writeWire(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { writeWire($0) }
    }

    @discardableResult
    public func write(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { write($0) }
    }

    private func makeWriteWait() -> WriteWait {
        if let writeWait { return writeWait }
        let made = WriteWait(event: event_new(base.raw, fd, Int16(EV_WRITE | EV_PERSIST), Self.writeCallback,
                                              Unmanaged.passUnretained(self).toOpaque()))
        writeWait = made
        return made
    }

    private func armWrite(timeout: Duration?) {
        let event = makeWriteWait().event
        if let timeout {
            var tv = base.commonTimeval(timeout)
            event_add(event, &tv)
        } else {
            event_add(event, nil)
        }
    }

    private static let writeCallback: event_callback_fn = { _, flags, arg in
        let socket = Unmanaged<Socket>.fromOpaque(arg!).takeUnretainedValue()
        withExtendedLifetime((socket, socket.delegate)) { socket.writeReady(timedOut: Int32(flags) & EV_TIMEOUT != 0) }
    }

    private func writeReady(timedOut: Bool) {
        switch state {
        case .connecting:
            writeWait = nil
            if timedOut {
                delegate?.socketDidTimeOut(self)
                return
            }
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
            if error != 0 {
                fail(SocketError(operation: "connect", errno: error))
            } else {
                state = .open
                delegate?.socketDidConnect(self)
            }
        case .open, .lingering:
            // A persistent event's timeout restarts at every write readiness: it passes only
            // when nothing could be written for that long.
            if timedOut { return writeStalled() }
            if let tls, tls.isHandshaking { return continueHandshake(tls) }
            flushPending()
        case .failingToConnect, .failingToWrite:
            let operation = state == .failingToConnect ? "connect" : "write"
            let code = writeWait?.deferredErrno ?? 0
            state = .failed
            writeWait = nil
            delegate?.socket(self, didFail: SocketError(operation: operation, errno: code))
        case .failed, .closed:
            break
        }
    }

    private func flushPending() {
        while let queue = writeWait, queue.count > 0 {
            let sent = queue.bytes.withUnsafeBytes { buffer in
                transmit(buffer.baseAddress! + queue.start, count: buffer.count - queue.start)
            }
            if sent > 0 {
                queue.start += sent
            } else if sent < 0 && (errno == EAGAIN || errno == EINTR) {
                if queue.start > 65536 && queue.start * 2 > queue.bytes.count {
                    queue.bytes.removeFirst(queue.start)
                    queue.start = 0
                }
                return
            } else {
                fail(SocketError(operation: "write", errno: errno))
                return
            }
        }
        // Give the queue's memory back: a drained subscriber should cost nothing.
        writeWait = nil
        if state == .lingering {
            beginLinger()
        } else {
            delegate?.socketDidDrain(self)
        }
    }

    // MARK: Closing

    /// Sends what is queued, then closes gracefully: the write side is shut down and unread input is
    /// drained for a short while, so a peer still sending (say, a refused body) reads our answer instead
    /// of a reset. The delegate hears nothing more.
    public func closeAfterFlush() {
        switch state {
        case .open, .connecting: break
        case .failingToConnect, .failingToWrite, .failed: return close()  // nothing more can be sent
        case .lingering, .closed: return
        }
        // A client that never finished its handshake can be told nothing.
        if let tls, tls.isHandshaking { return close() }
        delegate = nil
        state = .lingering
        if pendingOutputBytes == 0 { beginLinger() }
    }

    private static let lingerTimeout = Duration.seconds(2)

    private func beginLinger() {
        // Best effort: the connection is ending, nothing waits for this record to be sent.
        if let alert = tls?.closeNotify() { _ = alert.withUnsafeBytes { transmit($0.baseAddress!, count: $0.count) } }
        shutdown(fd, Int32(SHUT_WR))
        armRead(base.commonTimeval(Self.lingerTimeout))
    }

    private func lingerRead(timedOut: Bool) {
        if timedOut {
            close()
            return
        }
        let count = Glibc.read(fd, base.scratch.baseAddress, base.scratch.count)
        if count == 0 || (count < 0 && errno != EAGAIN && errno != EINTR) {
            close()
        }
    }

    private func writeStalled() {
        if state == .lingering { return close() }
        delegate?.socketWriteDidStall(self)
    }

    /// Closes at once, dropping anything queued. Safe to call more than once.
    public func close() {
        guard state != .closed else { return }
        state = .closed
        delegate = nil
        event_del(readEvent)
        writeWait = nil
        Glibc.close(fd)
        base.descriptorClosed(fd)
        Unmanaged.passUnretained(self).release()
    }

    private func fail(_ error: SocketError) {
        // A lingering socket has no delegate left to close it: it ends here.
        if state == .lingering { return close() }
        state = .failed
        stopWatchingReadable()
        writeWait = nil
        delegate?.socket(self, didFail: error)
    }

    /// A failure inside a call the delegate made: reported on the loop's next turn, so the caller
    /// never hears about it in the middle of what it was doing, and never has to poll for it.
    private func failFromLoop(errno code: Int32) {
        state = state == .connecting ? .failingToConnect : .failingToWrite
        stopWatchingReadable()
        // Queued output is dropped; the wait stays only to report the failure.
        writeWait = nil
        let wait = makeWriteWait()
        wait.deferredErrno = code
        event_active(wait.event, EV_WRITE, 0)
    }
}
