import CTLS
import Glibc
import TLSRecords

/// One connection's TLS under a `Socket`. OpenSSL does the handshake over the non-blocking
/// descriptor itself, "want read" or "want write" becoming the socket's usual readiness. A TLS 1.3
/// connection then leaves OpenSSL: its `SSL` is freed and Holdfast's own record layer carries on
/// from the traffic secrets the handshake derived, so a held client keeps ~0.3 KB of TLS state
/// instead of OpenSSL's ~14 KB (docs/architecture.md, "TLS"). TLS 1.2 stays with OpenSSL, whose
/// record buffers `SSL_MODE_RELEASE_BUFFERS` frees while idle from the end of the handshake on.
final class TLSStream {
    let acceptor: TLSAcceptor
    /// Monotonic milliseconds by which the handshake must be done.
    let handshakeDeadline: Int64
    /// Until a TLS 1.3 handshake is done; for the whole connection with TLS 1.2.
    private var ssl: OpaquePointer?
    /// What the handshake leaves for `records`; freed when it is done.
    private var capture: UnsafeMutablePointer<holdfast_tls13_capture>?
    /// After a TLS 1.3 handshake.
    private var records: TLS13RecordLayer?
    /// Records to send before anything written after them: the answer to a client's KeyUpdate, or
    /// the alert that tells a client why its connection ends.
    private var reply: [UInt8]?
    /// A close_notify arrived with data before it: the next read reports the end of the stream.
    private var peerClosed = false
    private(set) var isHandshaking = true

    enum HandshakeStep {
        case done, wantRead, wantWrite
        case failed(TLSHandshakeFailure, detail: String)
    }

    init?(acceptor: TLSAcceptor, fd: Int32, now: Int64) {
        guard let ssl = acceptor.makeSession(fd: fd) else { return nil }
        guard let capture = holdfast_tls13_capture_begin(ssl) else {
            SSL_free(ssl)
            return nil
        }
        self.ssl = ssl
        self.capture = capture
        self.acceptor = acceptor
        handshakeDeadline = now + acceptor.handshakeTimeout.milliseconds
    }

    deinit {
        guard let ssl else { return }
        if let capture { holdfast_tls13_capture_end(ssl, capture) }
        SSL_free(ssl)
    }

    /// Written data goes out as records sealed here, through the socket's plain write path.
    var sealsRecords: Bool { records != nil }

    func handshake() -> HandshakeStep {
        guard let ssl else { return .done }
        ERR_clear_error()
        let result = SSL_do_handshake(ssl)
        if result == 1 {
            isHandshaking = false
            leaveOpenSSL(ssl)
            acceptor.countFinished(records == nil ? .openssl : .holdfast)
            return .done
        }
        switch SSL_get_error(ssl, result) {
        case SSL_ERROR_WANT_READ: return .wantRead
        case SSL_ERROR_WANT_WRITE: return .wantWrite
        case SSL_ERROR_SSL:
            let reason = Self.failure(forReason: holdfast_err_reason(ERR_peek_error()))
            return .failed(reason, detail: TLSContext.takeErrors())
        default:
            // End of stream or a reset: the client gave up.
            ERR_clear_error()
            return .failed(.closed, detail: "the client closed the connection")
        }
    }

    /// Hands a finished TLS 1.3 connection to `records` when OpenSSL holds nothing unread and the
    /// capture is complete; otherwise (TLS 1.2) OpenSSL keeps it.
    private func leaveOpenSSL(_ ssl: OpaquePointer) {
        guard let capture else { return }
        self.capture = nil
        let captured = capture.pointee
        holdfast_tls13_capture_end(ssl, capture)
        guard SSL_version(ssl) == TLS1_3_VERSION, SSL_has_pending(ssl) == 0,
              let cipher = SSL_get_current_cipher(ssl),
              let suite = TLS13CipherSuite(rawValue: SSL_CIPHER_get_protocol_id(cipher)),
              Int(captured.client_secret_length) == suite.secretLength,
              Int(captured.server_secret_length) == suite.secretLength,
              captured.records_read >= 0, captured.records_written >= 0 else {
            return holdfast_ssl_release_buffers_when_idle(ssl)
        }
        let clientSecret = withUnsafeBytes(of: captured.client_secret) { Array($0.prefix(suite.secretLength)) }
        let serverSecret = withUnsafeBytes(of: captured.server_secret) { Array($0.prefix(suite.secretLength)) }
        records = TLS13RecordLayer(suite: suite, clientSecret: clientSecret, serverSecret: serverSecret,
                                   readSequence: UInt64(captured.records_read), writeSequence: UInt64(captured.records_written))
        SSL_free(ssl)
        self.ssl = nil
    }

    /// Like `read(2)`: a count, 0 at the end of the stream, -1 with `errno` set (EAGAIN to wait).
    func read(fd: Int32, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        if records != nil { return readRecords(fd: fd, into: buffer) }
        guard let ssl else { return 0 }
        ERR_clear_error()
        errno = 0
        let count = SSL_read(ssl, buffer.baseAddress, Int32(min(buffer.count, Int(Int32.max))))
        return count > 0 ? Int(count) : outcome(of: count, ssl)
    }

    private func readRecords(fd: Int32, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        if peerClosed { return 0 }
        // What is opened is never longer than what was read: the output has room for all of it.
        let input = acceptor.recordInput
        let room = min(input.count, buffer.count - records!.unfinishedCount)
        let count = Glibc.read(fd, input.baseAddress, room)
        if count == 0 && records!.unfinishedCount > 0 {
            errno = EPROTO  // the stream ended inside a record
            return -1
        }
        guard count > 0 else { return count }
        do {
            let opened = try records!.open(UnsafeRawBufferPointer(rebasing: input[..<count]), into: buffer)
            if !opened.reply.isEmpty { reply = (reply ?? []) + opened.reply }
            if opened.count > 0 {
                peerClosed = opened.closed
                return opened.count
            }
            if opened.closed { return 0 }
            errno = EAGAIN
            return -1
        } catch {
            // Tell the client why, as OpenSSL would; the socket fails and closes.
            if let description = error.alertDescription { reply = (reply ?? []) + records!.sealAlert(description) }
            errno = EPROTO
            return -1
        }
    }

    /// Records to send before any other output (see `reply`); nil when there are none.
    func takeReply() -> [UInt8]? {
        defer { reply = nil }
        return reply
    }

    /// `bytes` as records, for the socket to send as they are.
    func seal(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        records!.seal(bytes)
    }

    /// Like `send(2)` through OpenSSL: a count, or -1 with `errno` set (EAGAIN to wait for write
    /// readiness). Only while OpenSSL has the connection (`sealsRecords` false).
    func write(_ bytes: UnsafeRawPointer, count: Int) -> Int {
        guard let ssl else { return -1 }
        ERR_clear_error()
        errno = 0
        let written = SSL_write(ssl, bytes, Int32(min(count, Int(Int32.max))))
        return written > 0 ? Int(written) : outcome(of: written, ssl)
    }

    /// close_notify, without waiting for the client's: OpenSSL sends its own; with `records` the
    /// record is returned for the socket to send.
    func closeNotify() -> [UInt8]? {
        guard !isHandshaking else { return nil }
        if records != nil { return records!.sealAlert(0) }
        guard let ssl else { return nil }
        ERR_clear_error()
        _ = SSL_shutdown(ssl)
        ERR_clear_error()
        return nil
    }

    private func outcome(of result: Int32, _ ssl: OpaquePointer) -> Int {
        let error = SSL_get_error(ssl, result)
        ERR_clear_error()
        switch error {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
            errno = EAGAIN
            return -1
        case SSL_ERROR_ZERO_RETURN:
            return 0
        case SSL_ERROR_SYSCALL where errno == 0:
            return 0
        case SSL_ERROR_SYSCALL:
            return -1
        default:
            errno = EPROTO
            return -1
        }
    }

    private static func failure(forReason reason: Int32) -> TLSHandshakeFailure {
        switch reason {
        case SSL_R_UNSUPPORTED_PROTOCOL, SSL_R_VERSION_TOO_LOW, SSL_R_WRONG_VERSION_NUMBER, SSL_R_TLSV1_ALERT_PROTOCOL_VERSION:
            .protocolVersion
        case SSL_R_NO_SHARED_CIPHER: .noSharedCipher
        case SSL_R_HTTP_REQUEST, SSL_R_HTTPS_PROXY_REQUEST: .httpRequest
        default: .handshake
        }
    }
}
