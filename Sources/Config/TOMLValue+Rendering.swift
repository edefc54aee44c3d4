import TOMLKit

/// A value as the user wrote it, for the "(got …)" part of an error.
func render(_ raw: TOMLValueConvertible) -> String {
    switch raw.type {
    case .string: quoted(raw.string ?? "")
    case .array: "[" + (raw.array?.map(render) ?? []).joined(separator: ", ") + "]"
    case .table: "a table"
    default: raw.tomlValue.debugDescription
    }
}

/// A string as a TOML basic string.
func quoted(_ text: String) -> String {
    var result = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": result += "\\\""
        case "\\": result += "\\\\"
        case "\n": result += "\\n"
        case "\t": result += "\\t"
        case _ where scalar.value < 0x20 || scalar.value == 0x7F:
            let hex = String(scalar.value, radix: 16, uppercase: true)
            result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        default: result.unicodeScalars.append(scalar)
        }
    }
    return result + "\""
}
