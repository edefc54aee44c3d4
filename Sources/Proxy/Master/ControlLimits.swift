import Config
import HTTP1

/// What one control connection is allowed (docs/operations.md): the client side's head limits and timeouts, and
/// `control.max_publish_bytes` for bodies. A reload replaces it; open connections use the new one
/// from their next request.
struct ControlLimits: Equatable {
    var http: HTTPLimits
    /// For the first request from connecting, then for each head from its first byte.
    var headerTimeout: Duration
    /// Between requests, and between the pieces of a body.
    var idleTimeout: Duration

    init(config: ProxyConfig) {
        http = HTTPLimits(maxHeaderBytes: config.server.maxHeaderBytes, maxURIBytes: config.server.maxURIBytes,
                          maxHeaders: config.server.maxHeaders, maxBodyBytes: config.control.maxPublishBytes)
        headerTimeout = config.timeouts.clientHeader
        idleTimeout = config.timeouts.clientIdle
    }
}
