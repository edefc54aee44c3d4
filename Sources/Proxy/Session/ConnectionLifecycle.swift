/// The life of one client connection, without any I/O: which state it is in, when its deadline
/// is, and what the driver (`ClientSession`) must do about each event. Deadlines are absolute
/// monotonic milliseconds from the driver's clock, so bytes arriving never move them.
///
/// `awaitingRequest → readingHead → serving → (awaitingRequest | awaitingDrain | held | closed)`;
/// `held → serving` (the hold's answer being finished, or its stream continued from the backend) `| closed`;
/// `serving → tunnelling → closed` (a WebSocket upgrade the backend accepted: bytes flow both ways);
/// `serving → heldWebSocket → closed` (a WebSocket Holdfast terminates: on a built-in subscribe route,
/// or spoken to the backend as WebSocket-over-HTTP).
struct ConnectionLifecycle {
    /// One per worker, shared by every connection: a machine costs a reference, not a copy.
    final class Settings {
        /// The whole head must arrive within this of its first byte, and the first one within this of connecting.
        let headerTimeoutMilliseconds: Int64
        /// Keep-alive wait between requests; also how long a request body may stall.
        let idleTimeoutMilliseconds: Int64
        /// What a client may send beyond the request being served (a pipelined head).
        let maxBufferedInputBytes: Int
        /// Unsent output past which the next pipelined request waits for the client to read.
        let outputHighWaterBytes: Int
        /// A tunnel with no bytes either way for this long is closed.
        let tunnelIdleMilliseconds: Int64

        init(headerTimeoutMilliseconds: Int64, idleTimeoutMilliseconds: Int64, maxBufferedInputBytes: Int, outputHighWaterBytes: Int,
             tunnelIdleMilliseconds: Int64) {
            self.headerTimeoutMilliseconds = headerTimeoutMilliseconds
            self.idleTimeoutMilliseconds = idleTimeoutMilliseconds
            self.maxBufferedInputBytes = maxBufferedInputBytes
            self.outputHighWaterBytes = outputHighWaterBytes
            self.tunnelIdleMilliseconds = tunnelIdleMilliseconds
        }
    }

    enum State: Equatable {
        /// Between requests, nothing allocated; the wait ends at `deadline`.
        case awaitingRequest(deadline: Int64)
        case readingHead(deadline: Int64)
        /// A request is being answered (proxied, or by Holdfast itself). Its body, while
        /// incomplete, must keep arriving within the idle timeout.
        case serving(requestComplete: Bool)
        /// Answered, but the client has not read enough of it: nothing more is parsed until it does.
        case awaitingDrain
        /// Waiting for published messages; `wakeAt` is the hold's timeout or next keep-alive tick.
        case held(wakeAt: Int64?)
        /// Upgraded: the connection is a tunnel to its backend, closed after `tunnel_idle` without
        /// bytes either way since `lastTraffic`.
        case tunnelling(lastTraffic: Int64)
        /// Held like `held`, as a WebSocket: what the client sends is frames, read as they come;
        /// `wakeAt` is the next ping.
        case heldWebSocket(wakeAt: Int64?)
        case closed
    }

    enum Action: Equatable {
        case none
        /// Keep reading; the read wait ends at `until` (nil: no deadline).
        case read(until: Int64?)
        /// Buffered bytes may hold a request head: parse them.
        case parseHead
        /// Bytes are request body: feed them to the request.
        case feedBody
        /// Bytes for the other end of the tunnel.
        case relayToTunnel
        /// WebSocket frames from a held client: read them, then keep reading until `until`.
        case readFrames(until: Int64?)
        /// Bytes of a later request: keep them; `thenStopReading` once the buffer is full.
        case buffer(thenStopReading: Bool, until: Int64?)
        case stopReading
        /// The hold's deadline passed: its timeout answer or keep-alive data is due.
        case wakeHold
        /// A wait timed out: count it, answer `status` if given, then close.
        case timeOut(TimeoutKind, answer: Int?)
        /// Done with the connection once the current answer is out.
        case close
        /// The client is gone, or misbehaved: release what it holds and close now, without lingering.
        case abort(DropReason?)
        /// A wait timed out with nothing more to say: count it, release everything, close now.
        case cut(TimeoutKind)
    }

    let settings: Settings
    private(set) var state: State
    private(set) var hasServedRequest = false
    /// The client half-closed after a complete request: it is answered, then the connection ends.
    private(set) var peerFinishedSending = false

    init(settings: Settings, connectedAt now: Int64) {
        self.settings = settings
        state = .awaitingRequest(deadline: now + settings.headerTimeoutMilliseconds)
    }

    /// What to do right after accepting.
    var initialAction: Action {
        if case let .awaitingRequest(deadline) = state { return .read(until: deadline) }
        return .none
    }

    // MARK: Input from the client

    /// `count` bytes arrived; `buffered` is what the driver already keeps.
    mutating func bytesArrived(count: Int, buffered: Int, now: Int64) -> Action {
        switch state {
        case .awaitingRequest:
            // Slowloris: the head's clock starts with its first byte.
            state = .readingHead(deadline: now + settings.headerTimeoutMilliseconds)
            return .parseHead
        case .readingHead:
            return .parseHead
        case .serving(requestComplete: false):
            return .feedBody
        case .serving(requestComplete: true), .awaitingDrain:
            return .buffer(thenStopReading: buffered + count > settings.maxBufferedInputBytes, until: nil)
        case let .held(wakeAt):
            // Held clients are always read, so a close or reset frees them at once; what they send
            // is kept as their next request, up to a head's worth, and beyond that they are cut.
            guard buffered + count <= settings.maxBufferedInputBytes else {
                state = .closed
                return .abort(.clientInput)
            }
            return .buffer(thenStopReading: false, until: wakeAt)
        case .tunnelling:
            state = .tunnelling(lastTraffic: now)
            return .relayToTunnel
        case let .heldWebSocket(wakeAt):
            return .readFrames(until: wakeAt)
        case .closed:
            return .none
        }
    }

    /// The buffered bytes do not hold a whole head yet.
    func headIncomplete() -> Action {
        guard case let .readingHead(deadline) = state else { return .none }
        return .read(until: deadline)
    }

    /// A complete head was parsed; the driver now routes and answers it.
    mutating func headParsed(requestComplete: Bool) {
        hasServedRequest = true
        state = .serving(requestComplete: requestComplete)
    }

    mutating func requestBodyComplete() {
        if case .serving = state { state = .serving(requestComplete: true) }
    }

    /// While a body arrives, its wait restarts with every read.
    func bodyReadDeadline(now: Int64) -> Int64 { now + settings.idleTimeoutMilliseconds }

    /// The peer finished sending (read returned 0).
    mutating func peerClosed() -> Action {
        switch state {
        case .serving(requestComplete: true), .awaitingDrain:
            // A half-close after a whole request is not an abort: the answer still goes out.
            peerFinishedSending = true
            return .none
        case .closed:
            return .none
        case .tunnelling:
            // Either side closing ends both; what is on its way to the backend still goes out.
            state = .closed
            return .close
        case .awaitingRequest, .readingHead, .serving(requestComplete: false), .held, .heldWebSocket:
            state = .closed
            return .abort(nil)
        }
    }

    /// A read or write failed: nothing more can be exchanged.
    mutating func socketFailed() -> Action {
        guard state != .closed else { return .none }
        state = .closed
        return .abort(nil)
    }

    /// Output waited unread for the idle timeout: a client that stopped reading is cut, whatever
    /// it was doing (pipelining without reading, or held and too slow to drain its buffer).
    mutating func writeStalled() -> Action {
        guard state != .closed else { return .none }
        state = .closed
        return .cut(.clientSend)
    }

    /// The socket's read wait ended without bytes.
    mutating func deadlinePassed(now: Int64) -> Action {
        switch state {
        case let .awaitingRequest(deadline):
            guard now >= deadline else { return .read(until: deadline) }
            state = .closed
            return .timeOut(hasServedRequest ? .clientIdle : .clientHeader, answer: nil)
        case let .readingHead(deadline):
            guard now >= deadline else { return .read(until: deadline) }
            state = .closed
            return .timeOut(.clientHeader, answer: 408)
        case .serving(requestComplete: false):
            state = .closed
            return .timeOut(.clientIdle, answer: nil)
        case let .held(wakeAt?), let .heldWebSocket(wakeAt?):
            return now >= wakeAt ? .wakeHold : .read(until: wakeAt)
        case let .tunnelling(lastTraffic):
            let deadline = lastTraffic + settings.tunnelIdleMilliseconds
            guard now >= deadline else { return .read(until: deadline) }
            state = .closed
            return .cut(.tunnelIdle)
        case .held(nil), .heldWebSocket(nil), .serving(requestComplete: true), .awaitingDrain, .closed:
            return .none
        }
    }

    // MARK: Input from the request being served

    /// The current answer is complete. `pendingOutput` is what the client has not read yet,
    /// `buffered` what it already sent of a next request.
    mutating func answered(keepAlive: Bool, windingDown: Bool, pendingOutput: Int, buffered: Int, now: Int64) -> Action {
        guard state != .closed else { return .none }
        if !keepAlive || peerFinishedSending || windingDown {
            state = .closed
            return .close
        }
        if pendingOutput > settings.outputHighWaterBytes {
            // A client that pipelines without reading is simply not read any further.
            state = .awaitingDrain
            return .stopReading
        }
        return nextRequest(buffered: buffered, now: now)
    }

    /// Everything written reached the kernel.
    mutating func outputDrained(buffered: Int, now: Int64) -> Action {
        guard state == .awaitingDrain else { return .none }
        return nextRequest(buffered: buffered, now: now)
    }

    private mutating func nextRequest(buffered: Int, now: Int64) -> Action {
        if buffered > 0 {
            state = .readingHead(deadline: now + settings.headerTimeoutMilliseconds)
            return .parseHead
        }
        state = .awaitingRequest(deadline: now + settings.idleTimeoutMilliseconds)
        return .read(until: now + settings.idleTimeoutMilliseconds)
    }

    /// The client now waits for published messages; `asWebSocket` when it is a WebSocket Holdfast serves.
    mutating func held(wakeAt: Int64?, asWebSocket: Bool = false) -> Action {
        guard state != .closed else { return .none }
        state = asWebSocket ? .heldWebSocket(wakeAt: wakeAt) : .held(wakeAt: wakeAt)
        return .read(until: wakeAt)
    }

    /// A held stream was written to: its keep-alive tick starts again. A later deadline is not
    /// armed now: the wait already armed passes first and re-arms for what is left (`deadlinePassed`),
    /// so a stream written to often costs one timer change per tick, not one per message.
    mutating func holdRescheduled(wakeAt: Int64?) -> Action {
        let armed: Int64?
        switch state {
        case let .held(current):
            armed = current
            state = .held(wakeAt: wakeAt)
        case let .heldWebSocket(current):
            armed = current
            state = .heldWebSocket(wakeAt: wakeAt)
        default:
            return .none
        }
        if let armed, let wakeAt, wakeAt >= armed { return .none }
        return .read(until: wakeAt)
    }

    /// The hold is over: its answer is being finished, or its stream goes on with another request
    /// to its backend.
    mutating func holdEnded() {
        guard case .held = state else { return }
        state = .serving(requestComplete: true)
    }

    /// The backend switched protocols: from now on the connection is a tunnel.
    mutating func tunnelOpened(now: Int64) -> Action {
        guard case .serving = state else { return .none }
        state = .tunnelling(lastTraffic: now)
        return .read(until: now + settings.tunnelIdleMilliseconds)
    }

    /// Bytes came through the tunnel from the backend: it is not idle.
    mutating func tunnelTraffic(now: Int64) {
        if case .tunnelling = state { state = .tunnelling(lastTraffic: now) }
    }

    /// Winding down: a connection between requests has nothing left to finish.
    mutating func windDown() -> Action {
        guard case .awaitingRequest = state else { return .none }
        state = .closed
        return .close
    }

    /// The driver closed the connection for a reason of its own (an error answer, a cut stream).
    mutating func closed() {
        state = .closed
    }
}
