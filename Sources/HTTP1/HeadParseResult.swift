/// What a head parser made of the bytes received so far.
public enum HeadParseResult<Head> {
    /// The head has not ended yet: call again with more bytes.
    case incomplete
    /// `headLength` counts every byte of the head, its final CRLFCRLF included; the body or the
    /// next pipelined message starts right after.
    case complete(Head, headLength: Int)
}

extension HeadParseResult: Equatable where Head: Equatable {}
extension HeadParseResult: Sendable where Head: Sendable {}

/// Why a response from upstream was refused; the proxy answers its client 502.
public enum HTTPResponseError: Error, Sendable, Equatable {
    case malformed(String)
    case tooLarge
}
