/// Query parameters of a request target, decoded as HTML forms encode them.
enum QueryParameter {
    /// The first parameter called `name` in `target` (origin- or absolute-form, fragment
    /// ignored), name and value decoded; "" for a parameter without `=`; nil when absent.
    static func value(named name: String, in target: String) -> String? {
        let withoutFragment = target.prefix { $0 != "#" }
        guard let questionMark = withoutFragment.firstIndex(of: "?") else { return nil }
        let query = withoutFragment[withoutFragment.index(after: questionMark)...]
        for parameter in query.split(separator: "&") {
            let equals = parameter.firstIndex(of: "=") ?? parameter.endIndex
            guard decode(parameter[..<equals]) == name else { continue }
            return equals == parameter.endIndex ? "" : decode(parameter[parameter.index(after: equals)...])
        }
        return nil
    }

    /// Form decoding: `%XX` and `+` as a space; a broken escape is kept as written, since a
    /// routing key should still be found in a sloppy URL.
    static func decode(_ text: Substring) -> String {
        PercentDecoding.decode(text, plusAsSpace: true, brokenEscapes: .keep)!
    }
}
