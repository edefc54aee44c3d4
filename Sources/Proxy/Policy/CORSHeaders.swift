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
        headers.removeAll(where: Self.replaces)
        for field in fields { headers.add(field.name, field.value) }
    }

    /// The same for a head being written: the caller has left out the fields that `replaces` picks.
    func apply(to writer: inout HeadWriter) {
        for field in fields { writer.add(field.name, field.value) }
    }

    /// A backend's or publisher's field that these replace.
    static func replaces(_ name: String) -> Bool { name.hasPrefixIgnoringASCIICase("access-control-") }

    /// What the fields take on the wire.
    var wireSize: Int { fields.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 4 } }
}
