import Wire

/// The `cstring` format of Grip-Keep-Alive: backslash escapes `\\`, `\n`, `\r`, `\t`, `\"` and `\xHH`.
enum CString {
    /// Throws, naming the escape, when the text has an unknown or unfinished one.
    static func unescape(_ text: String) throws(GripHeaderError) -> [UInt8] {
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            guard byte == UInt8(ascii: "\\") else {
                out.append(byte)
                continue
            }
            guard index < bytes.count else {
                throw GripHeaderError(reason: "Grip-Keep-Alive cstring ends with a lone backslash: \(text)")
            }
            let escape = bytes[index]
            index += 1
            switch escape {
            case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
            case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
            case UInt8(ascii: "n"): out.append(UInt8(ascii: "\n"))
            case UInt8(ascii: "r"): out.append(UInt8(ascii: "\r"))
            case UInt8(ascii: "t"): out.append(UInt8(ascii: "\t"))
            case UInt8(ascii: "x"):
                guard index + 2 <= bytes.count, let high = hexDigitValue(bytes[index]), let low = hexDigitValue(bytes[index + 1]) else {
                    throw GripHeaderError(reason: "Grip-Keep-Alive cstring expects two hex digits after \\x: \(text)")
                }
                out.append(high << 4 | low)
                index += 2
            default:
                let shown = String(decoding: [escape], as: UTF8.self)
                throw GripHeaderError(
                    reason: "Grip-Keep-Alive cstring has the unknown escape \\\(shown); expected \\\\, \\n, \\r, \\t, \\\" or \\xHH")
            }
        }
        return out
    }
}
