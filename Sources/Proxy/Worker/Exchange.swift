import EventLoop
import GRIP
import HTTP1

/// One proxied request: waits for a pooled connection, sends the request (streaming its body),
/// then relays the response or, when the backend says `Grip-Hold`, turns the client into a held one
/// and gives the connection back to the pool at once.
final class Exchange: UpstreamUser {
    unowned let session: ClientSession
    private var runtime: WorkerRuntime { session.runtime }
    let head: RequestHead
    let route: Int
    private(set) var backend: Int
    private var upstream: UpstreamConnection?
    private var isWaitingForUpstream = false
    private var hasRetried = false

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
    private var responseParser: ResponseHeadParser
    private var responseBuffer: [UInt8] = []
    private var response: ResponseHead?
    private var responseBody = ResponseBody(.none)
    private var mode: Mode = .awaitingHead
    /// Anything written to the client for this request (then no retry and no error page).
    private var clientHasBytes = false
    private static let clientHighWater = 256 * 1024

    private enum Mode {
        case awaitingHead
        case relaying(dechunk: Bool)
        case collectingHoldBody(HoldInstruction, [UInt8])
        /// The client's response is a stream: the body goes out as stream data, then `next` says what follows.
        case streaming(chunked: Bool, next: StreamNext)
        case finished
    }

    private enum StreamNext {
        case hold(HoldInstruction)
        case follow(GripLink?)
    }

    /// Set when this request continues a stream whose response head the client already has (`Grip-Link`).
    private let continuedStream: StreamContinuation?

    private let clientIP: String

    init(session: ClientSession, head: RequestHead, route: Int, backend: Int, clientIP: String,
         continuing continuedStream: StreamContinuation? = nil) {
        self.session = session
        self.clientIP = clientIP
        self.head = head
        self.route = route
        self.backend = backend
        self.continuedStream = continuedStream
        clientHasBytes = continuedStream != nil
        body = RequestBody(head.framing, maxBodyBytes: session.runtime.limits.maxBodyBytes)
        upstreamHead = ProxyHeaders.upstreamRequest(head, clientIP: clientIP, scheme: "http",
                                                    gripSignature: session.runtime.gripSignature,
                                                    bodyFraming: RequestBody.upstreamFraming(head.framing),
                                                    backendAddress: session.runtime.config.backends[backend].address.description)
        retained = upstreamHead
        responseParser = ResponseHeadParser(maxHeadBytes: session.runtime.limits.maxHeaderBytes, requestMethod: head.method)
    }

    func start() {
        // Body bytes that came with the head are checked before any backend sees the request.
        if !session.input.isEmpty {
            let buffered = session.input
            session.input = []
            guard takeBody(buffered) else { return }
        }
        acquire()
    }

    private func acquire() {
        isWaitingForUpstream = true
        runtime.pools[backend].acquire(for: self)
    }

    // MARK: Request body from the client

    func clientBytes(_ bytes: UnsafeRawBufferPointer) {
        if body.isComplete {
            session.bufferWhileBusy(bytes)
        } else {
            _ = takeBody(Array(bytes))
        }
    }

    /// Feeds body bytes; leftovers are the next pipelined request. False when the body was refused.
    private func takeBody(_ bytes: [UInt8]) -> Bool {
        var encoded: [UInt8] = []
        let consumed: Int
        do {
            consumed = try bytes.withUnsafeBytes { buffer throws(HTTPRequestError) in try body.consume(buffer, into: &encoded) }
        } catch {
            refuse(error as? HTTPRequestError ?? .badRequest("unreadable body"))
            return false
        }
        if consumed < bytes.count { session.input.append(contentsOf: bytes[consumed...]) }
        if retained != nil {
            retained! += encoded
            if retained!.count > Self.retainLimit { retained = nil }
        }
        if let upstream, !isWaitingForUpstream {
            upstream.socket.write(encoded)
        } else {
            outbox += encoded
        }
        updateClientReading()
        return true
    }

    /// Reads more body only while it has somewhere to go (backpressure both ways). Once the body is
    /// complete, reading stays on: later bytes are the next request, buffered, and EOF is noticed.
    private func updateClientReading() {
        guard !body.isComplete, session.socket.isOpen else { return }
        let backlog = upstream.map { $0.socket.pendingOutputBytes } ?? outbox.count
        if backlog < Self.outboxLimit {
            session.socket.watchReadable(timeout: runtime.config.timeouts.clientIdle)
        } else {
            session.socket.stopWatchingReadable()
        }
    }

    var isRequestComplete: Bool { body.isComplete }

    private func refuse(_ error: HTTPRequestError) {
        releaseUpstream(reusable: false)
        mode = .finished
        if clientHasBytes {
            session.close(graceful: false)
        } else {
            session.answerAndClose(status: error.status, route: route)
        }
    }

    // MARK: Upstream connection

    func upstreamReady(_ connection: UpstreamConnection) {
        isWaitingForUpstream = false
        upstream = connection
        let sendsEverything = retained != nil
        connection.socket.write(sendsEverything ? retained! : upstreamHead + outbox)
        outbox = []
        connection.socket.watchReadable(timeout: runtime.config.timeouts.upstreamResponse)
        updateClientReading()
    }

    func upstreamUnavailable(_ failure: UpstreamFailure) {
        isWaitingForUpstream = false
        switch failure {
        case .queueTimeout:
            runtime.countTimeout(.queue)
            fail(status: 503)
        case .connectTimeout:
            runtime.countTimeout(.upstreamConnect)
            if !retryElsewhere() { fail(status: 502) }
        case let .connectFailed(reason):
            runtime.logger.warning("backend connect failed", metadata: ["backend": "\(runtime.pools[backend].name)", "error": "\(reason)"])
            if !retryElsewhere() { fail(status: 502) }
        }
    }

    /// Nothing reached the client yet: try once more on another healthy backend.
    @discardableResult
    private func retryElsewhere() -> Bool {
        guard !hasRetried, !clientHasBytes, retained != nil || upstream == nil,
              let other = runtime.chooseBackend(route: route, head: head, clientIP: clientIP, excluding: backend) else {
            return false
        }
        hasRetried = true
        backend = other
        upstream = nil
        resetResponse()
        acquire()
        return true
    }

    func upstreamDidTimeOut(_ connection: UpstreamConnection) {
        runtime.countTimeout(.upstreamResponse)
        releaseUpstream(reusable: false)
        fail(status: 504)
    }

    func upstreamDidClose(_ connection: UpstreamConnection, error: SocketError?) {
        upstream = nil
        if finishOnClose() { return }
        if response == nil, retained != nil, !hasRetried, connection.hasServedRequest {
            // A reused connection the backend had already closed: the request never reached it.
            hasRetried = true
            resetResponse()
            acquire()
            return
        }
        runtime.reportBackend(backend, false)
        fail(status: 502)
    }

    func upstreamDidDrain(_ connection: UpstreamConnection) {
        updateClientReading()
    }

    func upstream(_ connection: UpstreamConnection, didRead bytes: UnsafeRawBufferPointer) {
        if case .awaitingHead = mode {
            readHead(bytes)
        } else {
            readBody(bytes)
        }
        flushClientOutput()
    }

    // MARK: Response head

    private func resetResponse() {
        responseParser = ResponseHeadParser(maxHeadBytes: runtime.limits.maxHeaderBytes, requestMethod: head.method)
        responseBuffer = []
        response = nil
        mode = .awaitingHead
    }

    private func readHead(_ bytes: UnsafeRawBufferPointer) {
        responseBuffer.append(contentsOf: bytes)
        let result: HeadParseResult<ResponseHead>
        do {
            result = try responseBuffer.withUnsafeBytes { buffer throws(HTTPResponseError) in try responseParser.parse(buffer) }
        } catch {
            runtime.logger.warning("malformed response from backend", metadata: ["backend": "\(runtime.pools[backend].name)", "error": "\(error)"])
            releaseUpstream(reusable: false)
            fail(status: 502)
            return
        }
        guard case let .complete(responseHead, headLength) = result else { return }
        let rest = Array(responseBuffer[headLength...])
        responseBuffer = []
        if (100..<200).contains(responseHead.status) {
            // Interim responses: only 100 Continue matters to a client that asked for it.
            if responseHead.status == 100, head.headers["expect"]?.lowercased() == "100-continue" {
                session.socket.write(HeadSerializer.response(status: 100, reason: "Continue", headers: HTTPHeaders()))
            }
            responseParser = ResponseHeadParser(maxHeadBytes: runtime.limits.maxHeaderBytes, requestMethod: head.method)
            if !rest.isEmpty { rest.withUnsafeBytes { readHead($0) } }
            return
        }
        response = responseHead
        responseBody = ResponseBody(responseHead.framing)
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
            releaseUpstream(reusable: false)
            fail(status: 502)
            return
        }
        if !rest.isEmpty { rest.withUnsafeBytes { readBody($0) } } else if responseBody.isComplete { bodyComplete() }
    }

    private var clientKeepAlive: Bool {
        head.keepAlive && !runtime.isWindingDown && !(response.map { ResponseBody($0.framing).endsWithClose } ?? false)
    }

    private func beginRelay(_ responseHead: ResponseHead) {
        // HTTP/1.0 clients cannot read chunked coding: they get the data until close instead.
        let dechunk = head.version == .http10 && responseHead.framing == .chunked
        let framing: BodyFraming = dechunk ? .untilClose : responseHead.framing
        let keepAlive = clientKeepAlive && !dechunk
        let bytes = ProxyHeaders.clientResponse(status: responseHead.status, reason: responseHead.reason,
                                                headers: responseHead.headers, framing: framing, keepAlive: keepAlive)
        writeToClient(bytes)
        mode = .relaying(dechunk: dechunk)
    }

    // MARK: Response body

    private func readBody(_ bytes: UnsafeRawBufferPointer) {
        var output: [UInt8] = []
        let consumed: Int
        do {
            switch mode {
            case let .relaying(dechunk):
                let chunked = !dechunk && response?.framing == .chunked
                consumed = try responseBody.consume(bytes) { data in
                    if chunked {
                        output += HeadSerializer.chunk(data.count)
                        output.append(contentsOf: data)
                        output += crlf
                    } else {
                        output.append(contentsOf: data)
                    }
                }
                if chunked && responseBody.isComplete { output += HeadSerializer.lastChunk }
            case .collectingHoldBody(let instruction, var collected):
                consumed = try responseBody.consume(bytes) { collected.append(contentsOf: $0) }
                guard collected.count <= runtime.limits.maxBodyBytes else {
                    releaseUpstream(reusable: false)
                    fail(status: 502)
                    return
                }
                mode = .collectingHoldBody(instruction, collected)
            case let .streaming(chunked, _):
                consumed = try responseBody.consume(bytes) { data in
                    if chunked { output += HeadSerializer.chunk(data.count) }
                    output.append(contentsOf: data)
                    if chunked { output += crlf }
                }
            case .awaitingHead, .finished:
                return
            }
        } catch {
            // A broken body after the head went out: the client can only be cut off.
            releaseUpstream(reusable: false)
            fail(status: 502)
            return
        }
        if consumed < bytes.count { upstreamProtocolViolation = true }
        if !output.isEmpty { writeToClient(output) }
        if responseBody.isComplete { bodyComplete() }
    }

    /// Bytes after the end of a response: the connection cannot be reused.
    private var upstreamProtocolViolation = false

    /// What one read from the backend produced for the client: sent with one write (head and body together).
    private var clientOutput: [UInt8] = []

    private func writeToClient(_ bytes: [UInt8]) {
        clientHasBytes = true
        clientOutput += bytes
    }

    private func flushClientOutput() {
        guard !clientOutput.isEmpty else { return }
        let output = clientOutput
        clientOutput = []
        guard session.socket.write(output) else {
            // The client is gone: nothing more of this response is worth reading.
            abort()
            session.close(graceful: false)
            return
        }
        if session.socket.pendingOutputBytes > Self.clientHighWater { upstream?.socket.stopWatchingReadable() }
    }

    func clientDrained() {
        if let upstream, session.socket.pendingOutputBytes <= Self.clientHighWater, !isWaitingForUpstream, response != nil {
            upstream.socket.watchReadable(timeout: nil)
        }
        updateClientReading()
    }

    /// The backend closed: the natural end of a close-delimited body, else a failure.
    private func finishOnClose() -> Bool {
        guard response != nil, responseBody.endOfInput() else { return false }
        bodyComplete()
        return true
    }

    private func bodyComplete() {
        // Whatever follows (a hold, the next pipelined request) writes after this response.
        flushClientOutput()
        let reusable = response?.keepAlive == true && !responseBody.endsWithClose && body.isComplete && !upstreamProtocolViolation
        let finishedMode = mode
        mode = .finished
        releaseUpstream(reusable: reusable)
        switch finishedMode {
        case let .collectingHoldBody(instruction, collected):
            startResponseHold(instruction, timeoutBody: collected)
        case let .streaming(chunked, .hold(instruction)):
            let continuation = instruction.nextLink.map { makeContinuation(following: $0, chunked: chunked) }
            session.enterHold(Hold.stream(instruction: instruction, chunked: chunked, continuation: continuation, runtime: runtime, route: route))
        case let .streaming(chunked, .follow(link)):
            if let link {
                session.continueStream(makeContinuation(following: link, chunked: chunked))
            } else {
                session.endStream(chunked: chunked, keepAlive: head.keepAlive)
            }
        default:
            runtime.countRequest(route: route, status: response?.status ?? 0)
            let dechunked = head.version == .http10 && response?.framing == .chunked
            session.finish(closing: !clientKeepAlive || dechunked || !body.isComplete)
        }
    }

    // MARK: GRIP holds

    private func beginHold(_ instruction: HoldInstruction, _ responseHead: ResponseHead) {
        if instruction.mode == .response && continuedStream == nil {
            mode = .collectingHoldBody(instruction, [])
        } else {
            // A long-poll instruction cannot apply to a stream already under way: it continues as a stream.
            beginStream(responseHead, status: heldStatus(instruction, responseHead), next: .hold(instruction))
        }
    }

    /// Sends the response head as a stream (unless this request continues one) and its body as stream data.
    private func beginStream(_ responseHead: ResponseHead, status: GripStatus, next: StreamNext) {
        if let continuedStream {
            mode = .streaming(chunked: continuedStream.chunked, next: next)
            return
        }
        let chunked = head.version == .http11
        let bytes = ProxyHeaders.clientResponse(status: status.code, reason: status.reason, headers: responseHead.headers,
                                                framing: chunked ? .chunked : .untilClose, keepAlive: chunked && clientKeepAlive)
        writeToClient(bytes)
        mode = .streaming(chunked: chunked, next: next)
    }

    /// Where a stream goes on: the same backend, the same Host, the link's target.
    private func makeContinuation(following link: GripLink, chunked: Bool) -> StreamContinuation {
        StreamContinuation(link: link, host: head.headers["host"] ?? "", keepAlive: head.keepAlive, chunked: chunked,
                           route: route, backend: backend)
    }

    private func startResponseHold(_ instruction: HoldInstruction, timeoutBody: [UInt8]) {
        guard let response else { return }
        let status = heldStatus(instruction, response)
        let keepAlive = head.keepAlive
        var headers = response.headers
        headers.remove("content-length")
        let timeoutResponse = ProxyHeaders.completeResponse(status: status.code, reason: status.reason, headers: headers,
                                                            body: timeoutBody, keepAlive: keepAlive)
        session.enterHold(Hold.response(instruction: instruction, timeoutResponse: timeoutResponse, keepAlive: keepAlive,
                                        runtime: runtime, route: route))
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

    @discardableResult
    private func fail(status: Int) -> Bool {
        mode = .finished
        releaseUpstream(reusable: false)
        if clientHasBytes {
            runtime.countRequest(route: route, status: response?.status ?? status)
            session.close(graceful: false)
        } else {
            session.answerAndClose(status: status, route: route)
        }
        return true
    }

    /// The client went away mid-request.
    func abort() {
        mode = .finished
        releaseUpstream(reusable: false)
    }
}
