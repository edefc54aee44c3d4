/// Lines of the keys a configuration file writes, for problems found only after it loaded: a
/// certificate that OpenSSL refuses is reported at the line of its `certificate` key.
public struct ConfigFileLines {
    private let index: KeyLineIndex

    public init(text: String) { index = KeyLineIndex(text: text) }

    /// The line of `server.tls.KEY`, or of `KEY` in the `sniEntry`th `[[server.tls.sni]]`.
    public func lineOfTLSKey(_ key: String, sniEntry: Int?) -> Int? {
        var path = TOMLPath(keys: ["server", "tls"])
        if let sniEntry { path = path.appending("sni").appending(index: sniEntry) }
        return index.nearestLine(of: path.appending(key))
    }
}
