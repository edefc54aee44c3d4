/// Whether a token's channel list grants `channel`: an exact entry, or an entry ending in `*`
/// that is a prefix of it (`"news.*"` grants `news.sport`; a lone `"*"` grants every channel).
enum ChannelGrant {
    static func grants(_ entries: [String], _ channel: String) -> Bool {
        entries.contains { entry in
            entry.hasSuffix("*") ? channel.hasPrefix(entry.dropLast()) : entry == channel
        }
    }
}
