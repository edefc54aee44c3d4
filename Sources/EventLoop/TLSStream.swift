import CTLS
import Glibc

/// One connection's TLS under a `Socket`: OpenSSL reads and writes the non-blocking descriptor
/// itself, and "want read" or "want write" become the socket's usual read and write readiness.
/// With `SSL_MODE_RELEASE_BUFFERS` an idle connection keeps no record buffers, only this object
/// and OpenSSL's `SSL`.
final class TLSStream {
    let ssl: OpaquePointer
    let acceptor: TLSAcceptor
    /// Monotonic milliseconds by which the handshake must be done.
    let handshakeDeadline: Int64
    private(set) var isHandshaking = true

    enum HandshakeStep {
        case done, wantRead, wantWrite
        case failed(TLSHandshakeFailure, detail: String)
    }

    init?(acceptor: TLSAcceptor, fd: Int32, now: Int64) {
        guard let ssl = acceptor.makeSession(fd: fd) else { return nil }
        self.ssl = ssl
        self.acceptor = acceptor
        handshakeDeadline = now + acceptor.handshakeTimeout.milliseconds
    }

    deinit { SSL_free(ssl) }

    func handshake() -> HandshakeStep {
        ERR_clear_error()
        let result = SSL_do_handshake(ssl)
        if result == 1 {
            isHandshaking = false
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

    /// Like `read(2)`: a count, 0 at the end of the stream, -1 with `errno` set (EAGAIN to wait).
    func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        ERR_clear_error()
        errno = 0
        let count = SSL_read(ssl, buffer.baseAddress, Int32(min(buffer.count, Int(Int32.max))))
        return count > 0 ? Int(count) : outcome(of: count)
    }

    /// Like `send(2)`: a count, or -1 with `errno` set (EAGAIN to wait for write readiness).
    func write(_ bytes: UnsafeRawPointer, count: Int) -> Int {
        ERR_clear_error()
        errno = 0
        let written = SSL_write(ssl, bytes, Int32(min(count, Int(Int32.max))))
        return written > 0 ? Int(written) : outcome(of: written)
    }

    /// Sends close_notify once, without waiting for the client's.
    func sendCloseNotify() {
        guard !isHandshaking else { return }
        ERR_clear_error()
        _ = SSL_shutdown(ssl)
        ERR_clear_error()
    }

    private func outcome(of result: Int32) -> Int {
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
