import Config
import EventLoop
import GRIP
import HTTP1
import WebSocket

extension ClientSession: ChannelSubscriber {
    /// The client now waits for published messages; the upstream connection is already back in its pool.
    /// A client that vanished meanwhile hears about it from its socket, which ends the hold.
    func enterHold(_ hold: Hold) {
        runtime.countHeld(hold, delta: 1)
        runtime.hub.subscribe(self, to: hold.channels)
        if let continuation = hold.continuation, let timeout = continuation.link.timeout {
            let timer = Timer(base: runtime.base) { [weak self] in
                // Only while this stream is still the one held (its continuation is its identity).
                guard let self, case let .hold(current) = self.work, current.continuation === continuation else { return }
                self.leaveHold()
                self.continueStream(continuation)
            }
            timer.schedule(after: timeout)
            continuation.timer = timer
        }
        // One read event per held client does everything: notices the client leaving (EOF),
        // and wakes the hold at its deadline or keep-alive tick (a shared common timeout).
        beginHold(hold)
    }

    /// Delivery, phase one: writes what this held client gets from `message`, and nothing else, so
    /// that a publish reaches every subscriber's socket before any bookkeeping. True when the
    /// message is for this client (phase two must follow), false when it has no matching format.
    func writeMessage(_ message: PreparedMessage) -> Bool {
        if case .webSocketOverHTTP = work, let frame = message.overHTTPFrame {
            writeFrame(frame)
            return true
        }
        guard case let .hold(hold) = work else { return false }
        let bytes: [UInt8]?
        switch hold.kind {
        case let .response(_, headOnly):
            bytes = message.httpResponse(keepAlive: hold.keepAlive, headOnly: headOnly, cors: hold.cors)
        case .subscribeLongPoll:
            bytes = message.longPollResponse(keepAlive: hold.keepAlive, cors: hold.cors)
        case .stream:
            // A close action writes nothing now: phase two ends or continues the stream.
            if message.item.httpStream == .close { return true }
            bytes = hold.chunked ? message.streamChunk : streamContent(message)
        case .subscribeSSE:
            bytes = hold.chunked ? message.sseChunk : SSEFormat.event(id: message.id, payload: message.payload)
        case .subscribeStream:
            bytes = message.payload.isEmpty ? nil : (hold.chunked ? message.rawStreamChunk : message.payload)
        case .subscribeWebSocket:
            guard message.item.subscribePayload != nil else { return false }
            writeFrame(message.webSocketFrame)
            return true
        }
        guard let bytes else { return false }
        socket.write(bytes)
        return true
    }

    /// Delivery, phase two: what follows a written message (answered long-polls leave their hold,
    /// streams re-arm their keep-alive, clients too slow are dropped).
    func completeDelivery(_ message: PreparedMessage) {
        if case .webSocketOverHTTP = work {
            runtime.stats.messagesDelivered += 1
            if case .close = message.item.wsMessage {
                // The close frame went out in phase one: the backend hears DISCONNECT.
                closeAfterOutput()
            } else if pendingOutputBytes > runtime.config.channels.subscriberBufferBytes {
                dropHeldClient(.slowReader)
            }
            return
        }
        guard case let .hold(hold) = work else { return }
        runtime.stats.messagesDelivered += 1
        switch hold.kind {
        case .response, .subscribeLongPoll:
            let status = hold.kind.isSubscription ? 200 : message.item.httpResponse?.code ?? 200
            leaveHold()
            runtime.countRequest(route: hold.route, status: status)
            requestFinished(keepAlive: hold.keepAlive)
        case .stream where message.item.httpStream == .close:
            // "When the stream would end": a stream with a next link continues there instead.
            if let continuation = hold.continuation {
                leaveHold()
                continueStream(continuation)
            } else {
                endStream(hold)
            }
        case .stream, .subscribeSSE, .subscribeStream, .subscribeWebSocket:
            afterWrite(to: hold)
        }
    }

    private func streamContent(_ message: PreparedMessage) -> [UInt8]? {
        guard case let .content(bytes) = message.item.httpStream, !bytes.isEmpty else { return nil }
        return bytes
    }

    func afterWrite(to hold: Hold) {
        if pendingOutputBytes > runtime.config.channels.subscriberBufferBytes {
            // A reader this slow would grow our memory without bound: cut it off.
            dropHeldClient(.slowReader)
            return
        }
        // Keep-alive data goes only to streams that have been quiet.
        holdWritten(hold)
    }

    /// Answers a held long-poll and goes on with the connection.
    private func complete(_ hold: Hold, with bytes: [UInt8], status: Int) {
        leaveHold()
        runtime.countRequest(route: hold.route, status: status)
        write(bytes)
        requestFinished(keepAlive: hold.keepAlive)
    }

    func endStream(_ hold: Hold) {
        leaveHold()
        endStream(chunked: hold.chunked, keepAlive: hold.keepAlive)
    }

    /// Ends a streamed response: its last chunk, or a close when it is delimited by closing.
    func endStream(chunked: Bool, keepAlive: Bool) {
        if chunked { write(ChunkedEncoder.lastChunk) }
        requestFinished(keepAlive: chunked && keepAlive)
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
        startExchange(Exchange(session: self, head: head, route: continuation.route, backend: backend, clientIP: clientIP,
                               cors: nil, continuing: continuation, tokenExpiry: continuation.tokenExpiry))
    }

    /// Ends the current hold; the caller says what the connection does next.
    func leaveHold() {
        guard case let .hold(hold) = work else { return }
        release(hold)
        holdEnded()
    }

    /// Unsubscribes and uncounts a hold.
    func release(_ hold: Hold) {
        hold.continuation?.timer?.cancel()
        hold.continuation?.timer = nil
        runtime.hub.unsubscribe(self, from: hold.channels)
        runtime.countHeld(hold, delta: -1)
    }

    /// The hold's deadline passed: a long-poll gets its timeout answer, a quiet stream keep-alive data;
    /// once the admitting token has expired, a stream ends cleanly and a long-poll gets its timeout answer.
    func holdWoke(_ hold: Hold) {
        if hold.tokenExpired(at: runtime.base.nowMilliseconds), !hold.kind.isResponse {
            if hold.webSocket != nil { closeWebSocket(code: CloseCode.policyViolation) } else { endStream(hold) }
            return
        }
        switch hold.kind {
        case let .response(timeoutResponse, _):
            runtime.countTimeout(.hold)
            complete(hold, with: timeoutResponse, status: statusCode(of: timeoutResponse))
        case .subscribeLongPoll:
            runtime.countTimeout(.hold)
            complete(hold, with: CannedResponse.noContent(close: !hold.keepAlive, cors: hold.cors), status: 204)
        case let .stream(keepAlive):
            guard let keepAlive else { return }
            write(ChunkedEncoder.frame(keepAlive, chunked: hold.chunked))
            afterWrite(to: hold)
        case .subscribeSSE:
            write(ChunkedEncoder.frame(SSEFormat.keepAliveComment, chunked: hold.chunked))
            afterWrite(to: hold)
        case .subscribeStream:
            break
        case .subscribeWebSocket:
            if let webSocket = hold.webSocket { ping(hold, webSocket) }
        }
    }

    /// Shutdown: long-polls get their timeout response now, streams end cleanly.
    func endHoldForShutdown() {
        if case let .webSocketOverHTTP(webSocket) = work { return webSocket.shutDown() }
        guard case let .hold(hold) = work else { return }
        switch hold.kind {
        case .response, .subscribeLongPoll:
            holdWoke(hold)
        case .stream, .subscribeSSE, .subscribeStream:
            endStream(hold)
        case .subscribeWebSocket:
            closeWebSocket(code: CloseCode.goingAway)
        }
    }

    private func statusCode(of response: [UInt8]) -> Int {
        // "HTTP/1.1 NNN ...": the status is bytes 9..<12 of a head we serialized ourselves.
        guard response.count >= 12 else { return 200 }
        return Int(String(decoding: response[9..<12], as: UTF8.self)) ?? 200
    }
}
