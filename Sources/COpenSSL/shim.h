// The system's OpenSSL (Debian: libssl-dev), for TLS on the event loop (protocol.md, TLS).
// Macros do not reach Swift: the few the server needs are small inline functions here.
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509.h>

static inline int rl_ssl_ctx_set_min_tls12(SSL_CTX *ctx) {
    return (int)SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
}

/// A write may return having sent part of the buffer, and be retried with the buffer at another
/// address (a Swift array can move between tries).
static inline long rl_ssl_ctx_set_partial_writes(SSL_CTX *ctx) {
    return SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
}

/// Read what the socket holds in one read(2), not a record header and then its body: two
/// system calls a request fewer at pipeline 1.
static inline void rl_ssl_ctx_set_read_ahead(SSL_CTX *ctx) {
    SSL_CTX_set_read_ahead(ctx, 1);
}

/// No renegotiation (TLS 1.2) and no compression; the server's cipher order.
static inline long rl_ssl_ctx_set_options(SSL_CTX *ctx) {
    return (long)SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE);
}

/// Client side (tools/bench --tls): no certificate check, the bench measures throughput.
static inline long rl_ssl_set_tlsext_host_name(SSL *ssl, const char *name) {
    return SSL_set_tlsext_host_name(ssl, name);
}
