/// What a request's CORS means for its answer (docs/security.md).
enum CORSVerdict: Equatable {
    /// CORS is off on this route: answers go out as the backend made them.
    case notApplicable
    /// A preflight from an allowed origin: Holdfast answers `204` with these, and nothing is forwarded.
    case preflightAllowed(CORSHeaders)
    /// A preflight from any other origin: `403`, with no allow headers.
    case preflightRefused
    /// Any other request: its answer, whoever makes it, carries these instead of its own `Access-Control-*`.
    case answer(CORSHeaders)
}
