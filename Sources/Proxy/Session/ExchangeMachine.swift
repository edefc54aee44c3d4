/// The decisions of one proxied request, without I/O: when to (re)acquire a pooled connection,
/// when a failure is retried, answered with Holdfast's own error, or can only cut the client off,
/// and when the exchange is over. The driver (`Exchange`) moves the bytes.
///
/// `awaitingUpstream → awaitingResponseHead → (relaying | collectingHoldBody | streaming) → finished`;
/// a retry goes back to `awaitingUpstream` at most once. A WebSocket upgrade is sent on a connection
/// of its own, and a `101` finishes the exchange at once: the connection becomes a tunnel.
struct ExchangeMachine: Equatable {
    enum Phase: Equatable {
        case awaitingUpstream
        /// The request (or its head) went out; the response head has not come yet.
        case awaitingResponseHead
        /// A plain response, passed on as it arrives.
        case relaying
        /// `Grip-Hold: response`: the body is the timeout response, kept, not sent.
        case collectingHoldBody
        /// The body goes to the client as stream data (`Grip-Hold: stream`, or a `Grip-Link` chain).
        case streaming
        case finished
    }

    /// Why the exchange cannot go on as it is.
    enum Failure: Equatable {
        case queueTimeout
        case connectTimeout
        case connectFailed
        /// No response head within `upstream_response`.
        case responseTimeout
        /// The response head, its GRIP instructions, or its body framing is broken.
        case malformedResponse
        /// A held response's body is larger than a request body may be.
        case holdBodyTooLarge
        /// The backend closed or reset before the response was complete.
        case upstreamClosed(connectionWasReused: Bool)
    }

    enum Action: Equatable {
        case none
        /// Wait for a pooled connection to `backend` (a retry when it is not the first), or open one
        /// of the request's own (`dedicated`, for an upgrade).
        case acquire(backend: Int, dedicated: Bool = false)
        /// Write the request to the connection just lent.
        case sendRequest
        /// Nothing reached the client: Holdfast answers `status` and the client connection closes.
        case respond(status: Int)
        /// Part of the answer already went out: the client can only be cut off (`status` is what is counted).
        case cutClient(status: Int)
        /// The response is complete: what follows depends on its kind.
        case complete
        /// The backend switched protocols: relay its `101`, then tunnel bytes both ways.
        case tunnel
    }

    private(set) var phase: Phase = .awaitingUpstream
    private(set) var backend: Int
    private(set) var hasRetried = false
    /// Something of this answer reached the client: no retry and no error page any more.
    private(set) var clientHasBytes: Bool
    /// The whole request is still kept, so it can be sent again on another connection.
    private(set) var requestRetained = true
    /// A validated WebSocket handshake: its connection is never pooled, and a `101` is its answer.
    let isUpgrade: Bool

    /// `continuingStream`: the client already has the response head (a `Grip-Link` follow-up).
    init(backend: Int, continuingStream: Bool, upgrade: Bool = false) {
        self.backend = backend
        clientHasBytes = continuingStream
        isUpgrade = upgrade
    }

    var startAction: Action { .acquire(backend: backend, dedicated: isUpgrade) }

    mutating func upstreamReady() -> Action {
        guard phase == .awaitingUpstream else { return .none }
        phase = .awaitingResponseHead
        return .sendRequest
    }

    /// The request grew past what is kept for a retry.
    mutating func requestNoLongerRetained() { requestRetained = false }

    /// A 1xx response head: the final one is still to come, unless it is the `101` an upgrade asked for.
    mutating func informationalResponse(status: Int) -> Action {
        guard status == 101, isUpgrade, phase == .awaitingResponseHead else { return .none }
        phase = .finished
        clientHasBytes = true
        return .tunnel
    }

    /// The final response head arrived and was classified; `writesHead` when its head goes to the client now.
    mutating func responseHead(_ next: Phase, writesHead: Bool) {
        guard phase == .awaitingResponseHead else { return }
        phase = next
        if writesHead { clientHasBytes = true }
    }

    /// Body data went out to the client.
    mutating func clientWritten() { clientHasBytes = true }

    mutating func responseComplete() -> Action {
        switch phase {
        case .relaying, .collectingHoldBody, .streaming:
            phase = .finished
            return .complete
        case .awaitingUpstream, .awaitingResponseHead, .finished:
            return .none
        }
    }

    /// `alternative`: another healthy backend for this request, if there is one.
    mutating func failed(_ failure: Failure, alternative: Int?, bodyEndsWithClose: Bool = false) -> Action {
        guard phase != .finished else { return .none }
        switch failure {
        case .queueTimeout:
            return fail(503)
        case .connectTimeout, .connectFailed:
            // Nothing reached that backend: try once more on another healthy one.
            if !hasRetried, !clientHasBytes, let alternative {
                hasRetried = true
                backend = alternative
                phase = .awaitingUpstream
                return .acquire(backend: alternative, dedicated: isUpgrade)
            }
            return fail(502)
        case .responseTimeout:
            return fail(504)
        case .malformedResponse, .holdBodyTooLarge:
            return fail(502)
        case let .upstreamClosed(connectionWasReused):
            if bodyEndsWithClose, phase == .relaying || phase == .streaming || phase == .collectingHoldBody {
                // The natural end of a body delimited by closing.
                phase = .finished
                return .complete
            }
            if phase == .awaitingResponseHead, connectionWasReused, requestRetained, !hasRetried {
                // A reused connection the backend had already closed: the request never reached it.
                hasRetried = true
                phase = .awaitingUpstream
                return .acquire(backend: backend)
            }
            return fail(502)
        }
    }

    /// The client went away: nothing more to do for it.
    mutating func clientGone() {
        phase = .finished
    }

    /// The request body from the client was refused (too large, malformed).
    mutating func requestRefused(status: Int) -> Action {
        guard phase != .finished else { return .none }
        return fail(status)
    }

    private mutating func fail(_ status: Int) -> Action {
        phase = .finished
        return clientHasBytes ? .cutClient(status: status) : .respond(status: status)
    }
}
