/// Writes a head's wire bytes field by field, straight into one buffer: a proxy can pass fields
/// through, leave some out and add its own without building an `HTTPHeaders` in between (this
/// runs twice per proxied request). Always HTTP/1.1; a field that `HeadSerializer.isValidField`
/// refuses is left out.
public struct HeadWriter {
    private var bytes: [UInt8] = []

    /// `fieldBytes`: about how much the fields will take, reserved at once.
    public init(method: String, target: String, fieldBytes: Int) {
        bytes.reserveCapacity(method.utf8.count + target.utf8.count + 12 + fieldBytes)
        bytes.append(contentsOf: method.utf8)
        bytes.append(ByteClass.space)
        bytes.append(contentsOf: target.utf8)
        bytes.append(contentsOf: " HTTP/1.1\r\n".utf8)
    }

    /// A reason phrase with a control character is sent empty.
    public init(status: Int, reason: String, fieldBytes: Int) {
        bytes.reserveCapacity(reason.utf8.count + 15 + fieldBytes)
        bytes.append(contentsOf: "HTTP/1.1 ".utf8)
        bytes.append(contentsOf: String(status).utf8)
        bytes.append(ByteClass.space)
        if reason.utf8.allSatisfy(ByteClass.isFieldValueByte) { bytes.append(contentsOf: reason.utf8) }
        bytes.append(contentsOf: HeadSerializer.lineEnd)
    }

    public mutating func add(_ name: String, _ value: String) {
        add(name, value, checked: true)
    }

    /// A field Holdfast made from nothing but its own parts (names, numbers, addresses, tokens it
    /// wrote): not checked again, but in debug builds. Checking the fields of every proxied request's
    /// heads (a `Grip-Sig` token of some hundred bytes among them) took a twentieth of its instructions.
    public mutating func addComposed(_ name: String, _ value: String) {
        assert(HeadSerializer.isValidField(name: name, value: value), "a composed field must be valid: \(name)")
        add(name, value, checked: false)
    }

    /// Every field of `headers` in order, except those whose name `omitted` picks. Fields the parser
    /// made are not checked again.
    public mutating func add(_ headers: HTTPHeaders, omitting omitted: (String) -> Bool = { _ in false }) {
        for field in headers where !omitted(field.name) { add(field.name, field.value, checked: !headers.fieldsAreWireSafe) }
    }

    private mutating func add(_ name: String, _ value: String, checked: Bool) {
        var name = name, value = value
        name.withUTF8 { name in
            value.withUTF8 { value in
                guard !checked || (HeadSerializer.isValidName(name) && HeadSerializer.isValidValue(value)) else { return }
                bytes.append(contentsOf: name)
                bytes.append(ByteClass.colon)
                bytes.append(ByteClass.space)
                bytes.append(contentsOf: value)
                bytes.append(ByteClass.cr)
                bytes.append(ByteClass.lf)
            }
        }
    }

    /// The head, ended by its empty line.
    public consuming func finished() -> [UInt8] {
        bytes.append(contentsOf: HeadSerializer.lineEnd)
        return bytes
    }

    /// What `headers` take on the wire, for `fieldBytes`.
    public static func size(of headers: HTTPHeaders) -> Int {
        headers.fields.reduce(2) { $0 + $1.name.utf8.count + $1.value.utf8.count + 4 }
    }
}
