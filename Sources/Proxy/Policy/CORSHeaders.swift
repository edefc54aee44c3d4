import HTTP1

/// The CORS fields one answer carries. Applying them is the one place CORS headers are added:
/// on a route where Holdfast answers CORS, whatever `Access-Control-*` a backend or publisher wrote is
/// replaced by these (none at all for a refused origin or a request without `Origin`).
struct CORSHeaders: Hashable {
    struct Field: Hashable {
        let name: String
        let value: String
    }

    /// One array, so a held client keeps a single (interned) reference.
    let fields: [Field]

    static let empty = CORSHeaders(fields: [])

    func apply(to headers: inout HTTPHeaders) {
        headers.removeAll { $0.hasPrefixIgnoringASCIICase("access-control-") }
        for field in fields { headers.add(field.name, field.value) }
    }
}
