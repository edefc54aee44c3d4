#ifndef HOLDFAST_CTLS_SHIM_H
#define HOLDFAST_CTLS_SHIM_H
#include <sys/types.h>
#include <string.h>
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

// OpenSSL's ctrl macros do not import into Swift; these are the ones Holdfast uses.
/// No renegotiation, no compression, a peer's missing close_notify read as a plain end of stream.
/// Record buffers are freed whenever they are empty, so an idle held connection keeps none; partial
/// writes and a moving buffer let the socket's pending queue work as it does for plain TCP.
static inline void holdfast_ssl_ctx_set_server_options(SSL_CTX *ctx) {
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_NO_COMPRESSION);
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
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
