#ifndef HOLDFAST_CTLS_SHIM_H
#define HOLDFAST_CTLS_SHIM_H
#include <sys/types.h>
#include <string.h>
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/crypto.h>

// OpenSSL's ctrl macros do not import into Swift; these are the ones Holdfast uses.
/// No renegotiation, no compression, a peer's missing close_notify read as a plain end of stream.
/// Partial writes and a moving buffer let the socket's pending queue work as it does for plain TCP.
static inline void holdfast_ssl_ctx_set_server_options(SSL_CTX *ctx) {
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_NO_COMPRESSION);
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
}

/// For a connection OpenSSL keeps after its handshake: record buffers freed whenever they are
/// empty, so an idle held connection keeps none. Not during the handshake, which would free and
/// allocate them again at every flight.
static inline void holdfast_ssl_release_buffers_when_idle(SSL *ssl) {
    SSL_set_mode(ssl, SSL_MODE_RELEASE_BUFFERS);
}
/// What a TLS 1.3 handshake leaves for Holdfast to carry the connection on without OpenSSL: the two
/// application traffic secrets (from the key log callback) and how many records each side has
/// protected with them (from the message callback), so the record layer starts at the right
/// sequence numbers. Lives from `SSL_new` to the end of the handshake, as the `SSL`'s app data.
typedef struct {
    unsigned char client_secret[48];
    unsigned char server_secret[48];
    int client_secret_length;
    int server_secret_length;
    /// Records read and written after the peer's and our own Finished; -1 before it.
    long long records_read;
    long long records_written;
} holdfast_tls13_capture;

static inline int holdfast_hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/// OpenSSL's key log line: `LABEL <client random hex> <secret hex>`.
static inline void holdfast_capture_keylog(const SSL *ssl, const char *line) {
    holdfast_tls13_capture *capture = SSL_get_ex_data(ssl, 0);
    if (!capture) return;
    unsigned char *secret;
    int *length;
    static const char client[] = "CLIENT_TRAFFIC_SECRET_0 ", server[] = "SERVER_TRAFFIC_SECRET_0 ";
    if (strncmp(line, client, sizeof(client) - 1) == 0) {
        secret = capture->client_secret;
        length = &capture->client_secret_length;
    } else if (strncmp(line, server, sizeof(server) - 1) == 0) {
        secret = capture->server_secret;
        length = &capture->server_secret_length;
    } else {
        return;
    }
    const char *hex = strchr(line + sizeof(client) - 1, ' ');
    if (!hex) return;
    hex++;
    size_t digits = strlen(hex);
    if (digits % 2 != 0 || digits / 2 > sizeof(capture->client_secret)) return;
    for (size_t i = 0; i < digits / 2; i++) {
        int high = holdfast_hex_value(hex[2 * i]), low = holdfast_hex_value(hex[2 * i + 1]);
        if (high < 0 || low < 0) return;
        secret[i] = (unsigned char)(high << 4 | low);
    }
    *length = (int)(digits / 2);
}

/// Counts record headers after each side's Finished: OpenSSL reports a record's header before the
/// handshake message it carries, so the Finished's own record is not counted.
static inline void holdfast_capture_message(int write_p, int version, int content_type, const void *buf, size_t len,
                                            SSL *ssl, void *arg) {
    (void)version; (void)ssl;
    holdfast_tls13_capture *capture = arg;
    long long *records = write_p ? &capture->records_written : &capture->records_read;
    if (content_type == SSL3_RT_HANDSHAKE && len > 0 && ((const unsigned char *)buf)[0] == SSL3_MT_FINISHED) {
        *records = 0;
    } else if (content_type == SSL3_RT_HEADER && *records >= 0) {
        (*records)++;
    }
}

/// Every context's key log goes to the capture of the connection being handshaken (the server-name
/// callback may move a connection to another context before its secrets are derived).
static inline void holdfast_ssl_ctx_capture_traffic_secrets(SSL_CTX *ctx) {
    SSL_CTX_set_keylog_callback(ctx, holdfast_capture_keylog);
}

static inline holdfast_tls13_capture *holdfast_tls13_capture_begin(SSL *ssl) {
    holdfast_tls13_capture *capture = OPENSSL_zalloc(sizeof(*capture));
    if (!capture) return NULL;
    capture->records_read = capture->records_written = -1;
    SSL_set_ex_data(ssl, 0, capture);
    SSL_set_msg_callback(ssl, holdfast_capture_message);
    SSL_set_msg_callback_arg(ssl, capture);
    return capture;
}

static inline void holdfast_tls13_capture_end(SSL *ssl, holdfast_tls13_capture *capture) {
    SSL_set_msg_callback(ssl, NULL);
    SSL_set_ex_data(ssl, 0, NULL);
    OPENSSL_clear_free(capture, sizeof(*capture));
}

static inline int holdfast_ssl_ctx_set_min_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_min_proto_version(ctx, version);
}
static inline void holdfast_ssl_ctx_disable_session_cache(SSL_CTX *ctx) {
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
}
static inline void holdfast_ssl_ctx_set_servername_callback(SSL_CTX *ctx, int (*callback)(SSL *, int *, void *), void *arg) {
    SSL_CTX_set_tlsext_servername_callback(ctx, callback);
    SSL_CTX_set_tlsext_servername_arg(ctx, arg);
}
static inline int holdfast_err_reason(unsigned long error) { return ERR_GET_REASON(error); }

enum {
    HOLDFAST_PEM_OK = 0,
    HOLDFAST_PEM_BAD_CERTIFICATE = 1,
    HOLDFAST_PEM_BAD_KEY = 2,
    HOLDFAST_PEM_KEY_MISMATCH = 3,
};

/// Installs a PEM certificate chain (leaf first) and its private key, both from memory, and checks
/// that they belong together. The OpenSSL error queue says why when the result is not HOLDFAST_PEM_OK.
static inline int holdfast_ssl_ctx_use_pem(SSL_CTX *ctx, const void *certificate, int certificateLength,
                                           const void *key, int keyLength) {
    BIO *bio = BIO_new_mem_buf(certificate, certificateLength);
    X509 *leaf = bio ? PEM_read_bio_X509_AUX(bio, NULL, NULL, NULL) : NULL;
    int status = leaf && SSL_CTX_use_certificate(ctx, leaf) == 1 ? HOLDFAST_PEM_OK : HOLDFAST_PEM_BAD_CERTIFICATE;
    X509_free(leaf);
    X509 *intermediate;
    while (status == HOLDFAST_PEM_OK && (intermediate = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
        if (SSL_CTX_add0_chain_cert(ctx, intermediate) != 1) {
            X509_free(intermediate);
            status = HOLDFAST_PEM_BAD_CERTIFICATE;
        }
    }
    BIO_free(bio);
    if (status != HOLDFAST_PEM_OK) return status;
    ERR_clear_error();  // the chain loop ends on a "no start line" error
    bio = BIO_new_mem_buf(key, keyLength);
    EVP_PKEY *privateKey = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
    BIO_free(bio);
    if (!privateKey || SSL_CTX_use_PrivateKey(ctx, privateKey) != 1) {
        EVP_PKEY_free(privateKey);
        return privateKey ? HOLDFAST_PEM_KEY_MISMATCH : HOLDFAST_PEM_BAD_KEY;
    }
    EVP_PKEY_free(privateKey);
    return SSL_CTX_check_private_key(ctx) == 1 ? HOLDFAST_PEM_OK : HOLDFAST_PEM_KEY_MISMATCH;
}

/// ALPN: `http/1.1` when the client offers it; a client offering only other protocols gets none
/// (the handshake goes on, as with nginx).
static inline int holdfast_alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outLength,
                                       const unsigned char *offered, unsigned int offeredLength, void *arg) {
    (void)ssl; (void)arg;
    static const unsigned char supported[] = "\x08http/1.1";
    unsigned char *selected;
    if (SSL_select_next_proto(&selected, outLength, supported, sizeof(supported) - 1, offered, offeredLength)
        != OPENSSL_NPN_NEGOTIATED) {
        return SSL_TLSEXT_ERR_NOACK;
    }
    *out = selected;
    return SSL_TLSEXT_ERR_OK;
}

static inline void holdfast_ssl_ctx_offer_http11(SSL_CTX *ctx) {
    SSL_CTX_set_alpn_select_cb(ctx, holdfast_alpn_select, NULL);
}
#endif
