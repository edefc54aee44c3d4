import EventLoop
import GRIP

/// The Lua script every Holdfast publish runs in Redis (docs/cluster.md): for each item, atomically with
/// the others, the channel's sequence number goes up by one (the message id, ordered across instances
/// without anyone's wall clock), the message joins the channel's capped history list, and it is
/// published. Redis runs a script alone, so every instance sees every channel's messages in sequence order.
enum PublishScript {
    /// KEYS: per item, the sequence key and the history key. ARGV: the header prefix, the history length,
    /// its TTL in milliseconds, then per item the pub/sub channel and the body. Returns the sequences.
    static let source = """
        local now = redis.call('TIME')
        local milliseconds = now[1] * 1000 + math.floor(now[2] / 1000)
        local length = tonumber(ARGV[2])
        local sequences = {}
        for i = 1, #KEYS / 2 do
          local sequence = redis.call('INCR', KEYS[2 * i - 1])
          local payload = ARGV[1] .. sequence .. ' ' .. milliseconds .. '\\n' .. ARGV[3 + 2 * i]
          if length > 0 then
            redis.call('RPUSH', KEYS[2 * i], payload)
            redis.call('LTRIM', KEYS[2 * i], -length, -1)
            redis.call('PEXPIRE', KEYS[2 * i], ARGV[3])
          end
          redis.call('PUBLISH', ARGV[2 + 2 * i], payload)
          sequences[i] = sequence
        end
        return sequences
        """

    /// The EVAL command publishing `items`.
    static func command(items: [PublishItem], keys: ClusterKeys, origin: String, historyLength: Int,
                        historyTTLMilliseconds: Int64) -> [[UInt8]] {
        var keyArguments: [[UInt8]] = []
        var valueArguments: [[UInt8]] = [ClusterMessage.headerPrefix(origin: origin), Array(String(historyLength).utf8),
                                         Array(String(max(1, historyTTLMilliseconds)).utf8)]
        for item in items {
            keyArguments.append(keys.sequence(item.channel))
            keyArguments.append(keys.history(item.channel))
            valueArguments.append(keys.pubSubChannel(item.channel))
            valueArguments.append(ClusterMessage.body(of: item))
        }
        return [Array("EVAL".utf8), Array(source.utf8), Array(String(keyArguments.count).utf8)] + keyArguments + valueArguments
    }
}

/// Reads a channel's history list together with Redis's clock, so entries older than the history TTL can be
/// left out by the clock that stamped them (the list as a whole expires only `history_ttl` after its last publish).
enum HistoryScript {
    static let source = """
        local now = redis.call('TIME')
        return {now[1] * 1000 + math.floor(now[2] / 1000), redis.call('LRANGE', KEYS[1], 0, -1)}
        """

    static func command(historyKey: [UInt8]) -> [[UInt8]] {
        [Array("EVAL".utf8), Array(source.utf8), Array("1".utf8), historyKey]
    }

    /// The decodable entries of the script's answer still within `ttlMilliseconds`, oldest first; nil for another answer.
    static func messages(in reply: RedisReply, channel: String, ttlMilliseconds: Int64) -> [ClusterMessage]? {
        guard case .array(let parts) = reply, parts.count == 2, case .integer(let now) = parts[0], case .array(let entries) = parts[1] else {
            return nil
        }
        return entries.compactMap { entry in
            guard case .bulk(let payload) = entry, let message = try? ClusterMessage(decoding: payload, channel: channel),
                  (message.publishedAtMilliseconds ?? now) >= now - ttlMilliseconds else { return nil }
            return message
        }
    }
}

/// The Redis names of a channel under `[cluster] channel_prefix`. Pub/sub channels and keys are separate
/// namespaces in Redis; the keys' `seq:` and `history:` parts keep the two kinds of key apart.
struct ClusterKeys {
    let prefix: String

    func pubSubChannel(_ channel: String) -> [UInt8] { Array((prefix + channel).utf8) }
    func sequence(_ channel: String) -> [UInt8] { Array((prefix + "seq:" + channel).utf8) }
    func history(_ channel: String) -> [UInt8] { Array((prefix + "history:" + channel).utf8) }

    /// The channel a pub/sub channel name stands for; nil for names outside the prefix.
    func channel(fromPubSub name: [UInt8]) -> String? {
        let text = String(decoding: name, as: UTF8.self)
        guard text.hasPrefix(prefix) else { return nil }
        return String(text.dropFirst(prefix.count))
    }
}
