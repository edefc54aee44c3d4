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
