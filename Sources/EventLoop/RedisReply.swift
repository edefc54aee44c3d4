/// A reply from Redis, copied out of hiredis's reply object (which is freed when its callback returns).
public enum RedisReply: Sendable, Equatable {
    case bulk([UInt8])
    case status(String)
    case integer(Int64)
    case null
    case array([RedisReply])
    /// An error reply from the server, or `RedisReply.connectionLost`'s text when the connection ended first.
    case error(String)

    public static let connectionLost = RedisReply.error("connection to Redis lost before the reply")
}
