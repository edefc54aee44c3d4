import EventLoop
import GRIP
import HTTP1

/// One proxied request, the driver of its `ExchangeMachine`: waits for a pooled connection, sends
/// the request (streaming its body), then relays the response or, when the backend says
/// `Grip-Hold`, turns the client into a held one and gives the connection back to the pool at once.
/// A WebSocket upgrade goes on a connection of its own; the backend's `101` turns it into a `Tunnel`.
///
/// The session owns the exchange while it runs and the exchange holds its session strongly, so
/// neither can vanish under the other in a callback; the cycle ends when the session moves on.
final class Exchange: UpstreamUser {
    let session: ClientSession
    private var runtime: WorkerRuntime { session.runtime }
    let head: RequestHead
    let route: Int
    private var machine: ExchangeMachine
    private var upstream: UpstreamConnection?
    /// In a pool's queue (or connecting): withdrawn from it if the exchange ends first.
    private var isWaitingForUpstream = false

    // Request side
    private let upstreamHead: [UInt8]
    private var body: RequestBody
    /// Encoded body bytes not yet written to the backend.
    private var outbox: [UInt8] = []
    /// The whole request as sent, kept while small, so a stale pooled connection can be retried.
    private var retained: [UInt8]?
    private static let retainLimit = 64 * 1024
    private static let outboxLimit = 64 * 1024

    // Response side
    private var responseHeadCollector: ResponseHeadCollector
    private var response: ResponseHead?
    private var responseBody = DecodedBody(.none)
    private var plan: Plan = .relay(dechunk: false)
    /// Bytes after the end of a response: the connection cannot be reused.
    private var upstreamProtocolViolation = false
    /// What one read from the backend produced for the client: sent with one write (head and body together).
    private var clientOutput: [UInt8] = []
    private static let clientHighWater = 256 * 1024

    /// What the response becomes once its head is known.
    private enum Plan {
        case relay(dechunk: Bool)
        case hold(HoldInstruction, collected: [UInt8])
        /// The client's response is a stream: the body goes out as stream data, then `next` says what follows.
        case stream(chunked: Bool, next: StreamNext)
    }

    private enum StreamNext {
        case hold(HoldInstruction)
        case follow(GripLink?)
    }

    /// Set when this request continues a stream whose response head the client already has (`Grip-Link`).
    private let continuedStream: StreamContinuation?
    private let clientIP: String
    /// Loop milliseconds at which the JWT that admitted the request expires: a hold ends then.
    private let tokenExpiry: Int64?
    /// Replaces the backend's `Access-Control-*` in whatever answers this request; nil where CORS is off.
    private let cors: CORSHeaders?

    /// `cors`: nil for a continued stream, whose head the client already has. `upgrade`: a validated
    /// WebSocket handshake.
    init(session: ClientSession, head: RequestHead, route: Int, backend: Int, clientIP: String, cors: CORSHeaders?,
         continuing continuedStream: StreamContinuation? = nil, tokenExpiry: Int64? = nil, upgrade: Bool = false) {
        self.session = session
        self.clientIP = clientIP
        self.cors = cors
        self.tokenExpiry = tokenExpiry
        self.head = head
        self.route = route
        self.continuedStream = continuedStream
        machine = ExchangeMachine(backend: backend, continuingStream: continuedStream != nil, upgrade: upgrade)
        body = RequestBody(head.framing, maxBodyBytes: session.runtime.limits.maxBodyBytes)
        var forwarded = head
        // Holdfast answers `100 Continue` itself when it admits the body: the backend need not.
        if head.expectsContinue { forwarded.headers.remove("expect") }
        upstreamHead = ProxyHeaders.upstreamRequest(forwarded, clientIP: clientIP, scheme: session.scheme,
                                                    gripSignature: session.runtime.gripSignature,
                                                    bodyFraming: RequestBody.upstreamFraming(head.framing),
                                                    backendAddress: session.runtime.pools[backend].hostHeader,
                                                    upgrade: upgrade ? "websocket" : nil)
        retained = upstreamHead
        responseHeadCollector = ResponseHeadCollector(maxHeadBytes: session.runtime.limits.maxHeaderBytes, requestMethod: head.method)
    }

    var backend: Int { machine.backend }
    var isRequestComplete: Bool { body.isComplete }

    func start() {
        // Body bytes that came with the head are checked before any backend sees the request.
        let buffered = session.takeInput()
        if !buffered.isEmpty {
            guard takeBody(buffered) else { return }
        } else if body.isComplete {
            session.requestBodyComplete()
        } else {
            // Admitted (routed, a backend chosen, the declared length within limits): let the body come.
            if head.expectsContinue { session.write(Self.continueResponse) }
            updateClientReading()
        }
        perform(machine.startAction)
    }

    private static let continueResponse = HeadSerializer.response(status: 100, reason: "Continue", headers: HTTPHeaders())

    // MARK: Performing the machine's actions

    private func perform(_ action: ExchangeMachine.Action) {
        switch action {
        case .none:
            break
        case let .acquire(backend, dedicated):
            resetResponse()
            isWaitingForUpstream = true
            if dedicated { runtime.pools[backend].openDedicated(for: self) } else { runtime.pools[backend].acquire(for: self) }
        case .sendRequest:
            guard let upstream else { return }
            upstream.socket.write(retained ?? upstreamHead + outbox)
            outbox = []
            upstream.socket.watchReadable(timeout: runtime.config.timeouts.upstreamResponse)
            updateClientReading()
        case let .respond(status):
            releaseUpstream(reusable: false)
            session.exchangeFailed(status: status, route: route, cors: cors)
        case let .cutClient(status):
            releaseUpstream(reusable: false)
            runtime.countRequest(route: route, status: response?.status ?? status)
            // What the client has of the answer goes out, then the close tells it the rest is missing.
            flushClientOutput()
            session.exchangeCutClient()
        case .complete:
            complete()
        case .tunnel:
            // Only `informationalResponse` gives it, and `readHead`, which has the 101's head, acts on it.
            break
        }
    }

    private func fail(_ failure: ExchangeMachine.Failure) {
        perform(machine.failed(failure, alternative: nil))
    }

    // MARK: Request body from the client

    func clientBytes(_ bytes: UnsafeRawBufferPointer) {
        _ = takeBody(Array(bytes))
    }

    /// Feeds body bytes; leftovers are the next pipelined request. False when the body was refused.
    private func takeBody(_ bytes: [UInt8]) -> Bool {
        var encoded: [UInt8] = []
        let consumed: Int
        do {
            consumed = try bytes.withUnsafeBytes { buffer throws(HTTPRequestError) in try body.consume(buffer, into: &encoded) }
        } catch {
            perform(machine.requestRefused(status: (error as? HTTPRequestError)?.status ?? 400))
            return false
        }
        if consumed < bytes.count { session.keepInput(bytes[consumed...]) }
        if retained != nil {
            retained! += encoded
            if retained!.count > Self.retainLimit {
                retained = nil
                machine.requestNoLongerRetained()
            }
        }
        if let upstream, machine.phase != .awaitingUpstream {
            upstream.socket.write(encoded)
        } else {
            outbox += encoded
        }
        if body.isComplete { session.requestBodyComplete() }
        updateClientReading()
        return true
    }

    /// Reads more body only while it has somewhere to go (backpressure both ways).
    private func updateClientReading() {
        guard !body.isComplete else { return }
        let backlog = upstream.map { $0.socket.pendingOutputBytes } ?? outbox.count
        session.readBody(backlog < Self.outboxLimit)
    }

    // MARK: Upstream connection

    func upstreamReady(_ connection: UpstreamConnection) {
        isWaitingForUpstream = false
        upstream = connection
        perform(machine.upstreamReady())
    }

    func upstreamUnavailable(_ failure: UpstreamFailure) {
        isWaitingForUpstream = false
        let kind: ExchangeMachine.Failure
        switch failure {
        case .queueTimeout:
            runtime.countTimeout(.queue)
            kind = .queueTimeout
        case .connectTimeout:
            runtime.countTimeout(.upstreamConnect)
            kind = .connectTimeout
        case let .connectFailed(reason):
            runtime.logger.warning("backend connect failed", metadata: ["backend": "\(runtime.pools[backend].name)", "error": "\(reason)"])
            kind = .connectFailed
        }
        let alternative = runtime.chooseBackend(route: route, head: head, clientIP: clientIP, excluding: backend)
        perform(machine.failed(kind, alternative: alternative))
    }

    func upstreamDidTimeOut(_ connection: UpstreamConnection) {
        runtime.countTimeout(.upstreamResponse)
        fail(.responseTimeout)
    }

    func upstreamDidClose(_ connection: UpstreamConnection, error: SocketError?) {
        upstream = nil
        let endsWithClose = response != nil && responseBody.endOfInput()
        let action = machine.failed(.upstreamClosed(connectionWasReused: connection.hasServedRequest), alternative: nil,
                                    bodyEndsWithClose: endsWithClose)
        switch action {
        case .respond, .cutClient: runtime.reportBackend(backend, false)
        case .none, .acquire, .sendRequest, .complete, .tunnel: break
        }
        perform(action)
    }

    func upstreamDidDrain(_ connection: UpstreamConnection) {
        updateClientReading()
    }

    func upstream(_ connection: UpstreamConnection, didRead bytes: UnsafeRawBufferPointer) {
        if machine.phase == .awaitingResponseHead {
            readHead(bytes)
        } else {
            readBody(bytes)
        }
        flushClientOutput()
    }

    // MARK: Response head

    private func resetResponse() {
        responseHeadCollector.reset()
        response = nil
    }

    private func readHead(_ bytes: UnsafeRawBufferPointer) {
        let taken: (head: ResponseHead, rest: [UInt8])?
        do {
            taken = try responseHeadCollector.take(bytes)
        } catch {
            runtime.logger.warning("malformed response from backend", metadata: ["backend": "\(runtime.pools[backend].name)", "error": "\(error)"])
            fail(.malformedResponse)
            return
        }
        guard let (responseHead, rest) = taken else { return }
        if (100..<200).contains(responseHead.status) {
            if machine.informationalResponse(status: responseHead.status) == .tunnel {
                startTunnel(responseHead, backendBytes: rest)
                return
            }
            // Interim responses go no further: a client that asked for `100 Continue` got it from Holdfast.
            if !rest.isEmpty { rest.withUnsafeBytes { readHead($0) } }
            return
        }
        response = responseHead
        responseBody = DecodedBody(responseHead.framing)
        upstream?.socket.watchReadable(timeout: nil)
        do {
            if let instruction = try GripHeaders.parseHold(responseHead.headers.fields, defaultKeepAliveInterval: runtime.config.timeouts.streamKeepalive) {
                beginHold(instruction, responseHead)
            } else if let link = try GripHeaders.nextLink(in: responseHead.headers.fields) {
                beginStream(responseHead, status: GripStatus(code: responseHead.status, reason: responseHead.reason), next: .follow(link))
            } else if continuedStream != nil {
                beginStream(responseHead, status: GripStatus(code: responseHead.status, reason: responseHead.reason), next: .follow(nil))
            } else {
                beginRelay(responseHead)
            }
        } catch {
            runtime.logger.warning("invalid GRIP instructions from backend", metadata: ["backend": "\(runtime.pools[backend].name)", "error": "\(error.reason)"])
            fail(.malformedResponse)
            return
        }
        if !rest.isEmpty {
            rest.withUnsafeBytes { readBody($0) }
        } else if responseBody.isComplete {
            perform(machine.responseComplete())
        }
    }

    /// The backend accepted the upgrade: its `101` goes to the client (with `Upgrade` and
    /// `Connection`), and the connection, never pooled, becomes the tunnel's.
    private func startTunnel(_ responseHead: ResponseHead, backendBytes: [UInt8]) {
        guard let connection = upstream else { return }
        upstream = nil
        connection.user = nil
        runtime.countRequest(route: route, status: 101)
        session.write(ProxyHeaders.clientResponse(status: 101, reason: responseHead.reason, headers: responseHead.headers,
                                                  framing: .none, keepAlive: true, cors: cors,
                                                  upgrade: responseHead.headers["upgrade"] ?? "websocket"))
        session.beginTunnel(backend: connection.socket, pool: runtime.pools[backend], backendBytes: backendBytes)
    }

    private var clientKeepAlive: Bool {
        head.keepAlive && !runtime.isWindingDown && response?.framing != .untilClose
    }

    private func beginRelay(_ responseHead: ResponseHead) {
        // HTTP/1.0 clients cannot read chunked coding: they get the data until close instead.
        let dechunk = head.version == .http10 && responseHead.framing == .chunked
        let framing: BodyFraming = dechunk ? .untilClose : responseHead.framing
        let keepAlive = clientKeepAlive && !dechunk
        clientOutput += ProxyHeaders.clientResponse(status: responseHead.status, reason: responseHead.reason,
                                                    headers: responseHead.headers, framing: framing, keepAlive: keepAlive,
                                                    cors: cors)
        plan = .relay(dechunk: dechunk)
        machine.responseHead(.relaying, writesHead: true)
    }

    // MARK: Response body

    private func readBody(_ bytes: UnsafeRawBufferPointer) {
        var output: [UInt8] = []
        let consumed: Int
        do {
            switch (machine.phase, plan) {
            case let (.relaying, .relay(dechunk)):
                let chunked = !dechunk && response?.framing == .chunked
                consumed = try responseBody.consume(bytes) { data in
                    if chunked { ChunkedEncoder.append(data, to: &output) } else { output.append(contentsOf: data) }
                }
                if chunked && responseBody.isComplete { output += ChunkedEncoder.lastChunk }
            case (.collectingHoldBody, .hold(let instruction, var collected)):
                consumed = try responseBody.consume(bytes) { collected.append(contentsOf: $0) }
                guard collected.count <= runtime.limits.maxBodyBytes else {
                    fail(.holdBodyTooLarge)
                    return
                }
                plan = .hold(instruction, collected: collected)
            case let (.streaming, .stream(chunked, _)):
                consumed = try responseBody.consume(bytes) { data in
                    if chunked { ChunkedEncoder.append(data, to: &output) } else { output.append(contentsOf: data) }
                }
            default:
                return
            }
        } catch {
            // A broken body: before anything went out a 502, after it the client can only be cut off.
            fail(.malformedResponse)
            return
        }
        if consumed < bytes.count { upstreamProtocolViolation = true }
        if !output.isEmpty {
            clientOutput += output
            machine.clientWritten()
        }
        if responseBody.isComplete { perform(machine.responseComplete()) }
    }

    private func flushClientOutput() {
        guard !clientOutput.isEmpty else { return }
        let output = clientOutput
        clientOutput = []
        // A client that is gone hears about it from its socket: the session then aborts this exchange.
        session.write(output)
        if session.pendingOutputBytes > Self.clientHighWater { upstream?.socket.stopWatchingReadable() }
    }

    func clientDrained() {
        if let upstream, session.pendingOutputBytes <= Self.clientHighWater, response != nil {
            upstream.socket.watchReadable(timeout: nil)
        }
        updateClientReading()
    }

    /// The response is complete: the connection goes back, and the client is answered, held or streamed on.
    private func complete() {
        // Whatever follows (a hold, the next pipelined request) writes after this response.
        flushClientOutput()
        let reusable = response?.keepAlive == true && !responseBody.endsWithClose && body.isComplete && !upstreamProtocolViolation
        releaseUpstream(reusable: reusable)
        switch plan {
        case let .hold(instruction, collected):
            startResponseHold(instruction, timeoutBody: collected)
        case let .stream(chunked, .hold(instruction)):
            let continuation = instruction.nextLink.map { makeContinuation(following: $0, chunked: chunked) }
            session.enterHold(Hold.stream(instruction: instruction, chunked: chunked, continuation: continuation, runtime: runtime, route: route,
                                          tokenExpiry: tokenExpiry))
        case let .stream(chunked, .follow(link)):
            if let link {
                session.continueStream(makeContinuation(following: link, chunked: chunked))
            } else {
                session.endStream(chunked: chunked, keepAlive: head.keepAlive)
            }
        case let .relay(dechunk):
            runtime.countRequest(route: route, status: response?.status ?? 0)
            session.requestFinished(keepAlive: clientKeepAlive && !dechunk && body.isComplete)
        }
    }

    // MARK: GRIP holds

    private func beginHold(_ instruction: HoldInstruction, _ responseHead: ResponseHead) {
        if instruction.mode == .response && continuedStream == nil {
            plan = .hold(instruction, collected: [])
            machine.responseHead(.collectingHoldBody, writesHead: false)
        } else {
            // A long-poll instruction cannot apply to a stream already under way: it continues as a stream.
            beginStream(responseHead, status: heldStatus(instruction, responseHead), next: .hold(instruction))
        }
    }

    /// Sends the response head as a stream (unless this request continues one) and its body as stream data.
    private func beginStream(_ responseHead: ResponseHead, status: GripStatus, next: StreamNext) {
        if let continuedStream {
            plan = .stream(chunked: continuedStream.chunked, next: next)
            machine.responseHead(.streaming, writesHead: false)
            return
        }
        let chunked = head.version == .http11
        clientOutput += ProxyHeaders.clientResponse(status: status.code, reason: status.reason, headers: responseHead.headers,
                                                    framing: chunked ? .chunked : .untilClose, keepAlive: chunked && clientKeepAlive,
                                                    cors: cors)
        plan = .stream(chunked: chunked, next: next)
        machine.responseHead(.streaming, writesHead: true)
    }

    /// Where a stream goes on: the same backend, the same Host, the link's target.
    private func makeContinuation(following link: GripLink, chunked: Bool) -> StreamContinuation {
        StreamContinuation(link: link, host: head.headers["host"] ?? "", keepAlive: head.keepAlive, chunked: chunked,
                           route: route, backend: backend, authSubject: head.headers[ClientSession.authSubjectHeader],
                           tokenExpiry: tokenExpiry)
    }

    private func startResponseHold(_ instruction: HoldInstruction, timeoutBody: [UInt8]) {
        guard let response else { return }
        let status = heldStatus(instruction, response)
        let keepAlive = head.keepAlive
        var headers = response.headers
        headers.remove("content-length")
        let timeoutResponse = ProxyHeaders.completeResponse(status: status.code, reason: status.reason, headers: headers,
                                                            body: timeoutBody, keepAlive: keepAlive, cors: cors)
        session.enterHold(Hold.response(instruction: instruction, timeoutResponse: timeoutResponse, headOnly: head.method == "HEAD",
                                        keepAlive: keepAlive, runtime: runtime, route: route, cors: cors,
                                        tokenExpiry: tokenExpiry))
    }

    /// `Grip-Status` overrides the backend's status line; an empty reason means the standard phrase.
    private func heldStatus(_ instruction: HoldInstruction, _ response: ResponseHead) -> GripStatus {
        guard let status = instruction.status else { return GripStatus(code: response.status, reason: response.reason) }
        return GripStatus(code: status.code, reason: status.reason.isEmpty ? reasonPhrase(for: status.code) : status.reason)
    }

    // MARK: Ending

    private func releaseUpstream(reusable: Bool) {
        if isWaitingForUpstream {
            isWaitingForUpstream = false
            runtime.pools[backend].cancel(self)
        }
        guard let connection = upstream else { return }
        upstream = nil
        runtime.pools[backend].release(connection, reusable: reusable)
    }

    /// The client went away mid-request.
    func abort() {
        machine.clientGone()
        releaseUpstream(reusable: false)
    }
}

extension RequestHead {
    /// An HTTP/1.1 client that waits for `100 Continue` before sending its body (HTTP/1.0 ones may not ask).
    var expectsContinue: Bool {
        version == .http11 && framing != .none && headers["expect"]?.lowercased() == "100-continue"
    }
}
