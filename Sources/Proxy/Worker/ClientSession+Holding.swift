import Config
import EventLoop
import GRIP
import HTTP1

extension ClientSession {
    /// The client now waits for published messages; the upstream connection is already back in its pool.
    func enterHold(_ hold: Hold) {
        guard socket.isOpen else {
            // The client vanished while its response head was written: nothing to hold.
            close(graceful: false)
            return
        }
        phase = .held(hold)
        runtime.countHeld(hold, delta: 1)
        runtime.hub.subscribe(self, to: hold.channels)
        if let continuation = hold.continuation, let timeout = continuation.link.timeout {
            let timer = Timer(base: runtime.base) { [unowned self] in
                guard case let .held(current) = self.phase, current === hold else { return }
                self.leaveHold(hold)
                self.continueStream(continuation)
            }
            timer.schedule(after: timeout)
            continuation.timer = timer
        }
        // One read event per held client does everything: notices the client leaving (EOF),
        // and wakes the hold on its timeout or keep-alive tick (a shared common timeout).
        socket.watchReadable(timeout: hold.wakeInterval)
    }

    /// Delivery, phase one: writes what this held client gets from `message`, and nothing else, so
    /// that a publish reaches every subscriber's socket before any bookkeeping. True when the
    /// message is for this client (phase two must follow), false when it has no matching format.
    func writeMessage(_ message: PreparedMessage) -> Bool {
        guard case let .held(hold) = phase else { return false }
        let bytes: [UInt8]?
        switch hold.kind {
        case .response:
            bytes = message.httpResponse(keepAlive: hold.keepAlive)
        case .subscribeLongPoll:
            bytes = message.longPollResponse(keepAlive: hold.keepAlive)
        case .stream:
            // A close action writes nothing now: phase two ends or continues the stream.
            if message.item.httpStream == .close { return true }
            bytes = hold.chunked ? message.streamChunk : streamContent(message)
        case .subscribeSSE:
            bytes = hold.chunked ? message.sseChunk : SSEFormat.event(id: message.id, payload: message.payload)
        case .subscribeStream:
            bytes = message.payload.isEmpty ? nil : (hold.chunked ? message.rawStreamChunk : message.payload)
        }
        guard let bytes else { return false }
        socket.write(bytes)
        return true
    }

    /// Delivery, phase two: what follows a written message (answered long-polls leave their hold,
    /// streams re-arm their keep-alive, clients gone or too slow are dropped).
    func completeDelivery(_ message: PreparedMessage) {
        guard case let .held(hold) = phase else { return }
        runtime.stats.messagesDelivered += 1
        switch hold.kind {
        case .response, .subscribeLongPoll:
            let status = hold.kind.isSubscription ? 200 : message.item.httpResponse?.code ?? 200
            leaveHold(hold)
            runtime.countRequest(route: hold.route, status: status)
            if socket.isOpen { finish(closing: !hold.keepAlive) } else { close(graceful: false) }
        case .stream where message.item.httpStream == .close:
            // "When the stream would end": a stream with a next link continues there instead.
            if let continuation = hold.continuation {
                leaveHold(hold)
                continueStream(continuation)
            } else {
                endStream(hold)
            }
        case .stream, .subscribeSSE, .subscribeStream:
            afterWrite(to: hold)
        }
    }

    private func streamContent(_ message: PreparedMessage) -> [UInt8]? {
        guard case let .content(bytes) = message.item.httpStream, !bytes.isEmpty else { return nil }
        return bytes
    }

    /// Keep-alive data and the like: written, then checked like a delivery.
    private func append(_ bytes: [UInt8], to hold: Hold) {
        socket.write(bytes)
        afterWrite(to: hold)
    }

    private func afterWrite(to hold: Hold) {
        guard socket.isOpen else {
            leaveHold(hold)
            close(graceful: false)
            return
        }
        if socket.pendingOutputBytes > runtime.config.channels.subscriberBufferBytes {
            // A reader this slow would grow our memory without bound: cut it off.
            runtime.countDropped(.slowReader)
            leaveHold(hold)
            close(graceful: false)
            return
        }
        // Restart the idle clock: keep-alive data goes only to streams that have been quiet.
        socket.watchReadable(timeout: hold.wakeInterval)
    }

    /// Answers a held long-poll and goes on with the connection.
    private func complete(_ hold: Hold, with bytes: [UInt8], status: Int) {
        leaveHold(hold)
        runtime.countRequest(route: hold.route, status: status)
        socket.write(bytes)
        finish(closing: !hold.keepAlive)
    }

    func endStream(_ hold: Hold) {
        leaveHold(hold)
        endStream(chunked: hold.chunked, keepAlive: hold.keepAlive)
    }

    /// Ends a streamed response: its last chunk, or a close when it is delimited by closing.
    func endStream(chunked: Bool, keepAlive: Bool) {
        if chunked { socket.write(HeadSerializer.lastChunk) }
        finish(closing: !chunked || !keepAlive)
    }

    /// Fetches the next part of a stream from its backend (`Grip-Link`), appending it to the open response.
    func continueStream(_ continuation: StreamContinuation) {
        let head = continuation.request
        let clientIP = self.clientIP
        let backend = runtime.backendUp[continuation.backend] ? continuation.backend
            : runtime.chooseBackend(route: continuation.route, head: head, clientIP: clientIP)
        guard let backend else {
            endStream(chunked: continuation.chunked, keepAlive: false)
            return
        }
        let exchange = Exchange(session: self, head: head, route: continuation.route, backend: backend, clientIP: clientIP,
                                continuing: continuation)
        phase = .exchanging(exchange)
        exchange.start()
    }

    func leaveHold(_ hold: Hold) {
        guard case .held = phase else { return }
        hold.continuation?.timer?.cancel()
        hold.continuation?.timer = nil
        phase = .closed
        runtime.hub.unsubscribe(self, from: hold.channels)
        runtime.countHeld(hold, delta: -1)
    }

    func holdTimedOut(_ hold: Hold) {
        switch hold.kind {
        case let .response(timeoutResponse):
            runtime.countTimeout(.hold)
            complete(hold, with: timeoutResponse, status: statusCode(of: timeoutResponse))
        case .subscribeLongPoll:
            runtime.countTimeout(.hold)
            complete(hold, with: CannedResponse.noContent(close: !hold.keepAlive), status: 204)
        case let .stream(keepAlive):
            guard let keepAlive else { return }
            append(hold.chunked ? HeadSerializer.chunk(keepAlive.count) + keepAlive + crlf : keepAlive, to: hold)
        case .subscribeSSE:
            let comment = SSEFormat.keepAliveComment
            append(hold.chunked ? HeadSerializer.chunk(comment.count) + comment + crlf : comment, to: hold)
        case .subscribeStream:
            break
        }
    }

    /// Shutdown: long-polls get their timeout response now, streams end cleanly.
    func endHoldForShutdown() {
        guard case let .held(hold) = phase else { return }
        switch hold.kind {
        case .response, .subscribeLongPoll:
            holdTimedOut(hold)
        case .stream, .subscribeSSE, .subscribeStream:
            endStream(hold)
        }
    }

    private func statusCode(of response: [UInt8]) -> Int {
        // "HTTP/1.1 NNN ...": the status is bytes 9..<12 of a head we serialized ourselves.
        guard response.count >= 12 else { return 200 }
        return Int(String(decoding: response[9..<12], as: UTF8.self)) ?? 200
    }
}
