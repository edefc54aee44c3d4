import CHiredis

/// One connection to a Redis server, driven by hiredis's libevent adapter on an event loop. It connects
/// once: after `onClosed` it is finished, and a reconnect is a new connection (`Proxy.RedisSession` makes them).
/// Commands go out as argument vectors and their replies come back in order; on a connection used for
/// SUBSCRIBE, subscription replies and messages arrive through `onPush`.
public final class RedisConnection {
    public enum Target: Sendable, Equatable {
        case tcp(host: String, port: Int)
        case unix(path: String)
    }

    private typealias ReplyCallback = @convention(c) (UnsafeMutablePointer<redisAsyncContext>?, UnsafeMutableRawPointer?, UnsafeMutableRawPointer?) -> Void

    private let base: EventBase
    /// Nil once the connection has ended (freed by hiredis after its disconnect, or by `releaseContext`).
    private var context: UnsafeMutablePointer<redisAsyncContext>?
    private var pendingReplies: [(RedisReply) -> Void] = []
    private var firstPending = 0
    private var onConnected: (() -> Void)?
    private var onClosed: ((String) -> Void)?
    /// Subscription replies and published messages (arrays whose first element is the kind).
    public var onPush: (RedisReply) -> Void = { _ in }
    private lazy var connectTimer = Timer(base: base) { [unowned self] in end(reason: "connect timed out") }
    /// Tells `onConnected` (or an early failure) on the loop's next turn, outside hiredis's connect callback:
    /// hiredis goes on using the context after that callback, so nothing may close it from there.
    private lazy var announceTimer = Timer(base: base) { [unowned self] in announce() }
    private var earlyFailure: String?
    private var isConnected = false

    /// Starts connecting; `onConnected` or `onClosed` follows on a later turn of the loop, never during this call.
    public init(base: EventBase, target: Target, connectTimeout: Duration,
                onConnected: @escaping () -> Void, onClosed: @escaping (String) -> Void) {
        self.base = base
        self.onConnected = onConnected
        self.onClosed = onClosed
        let created: UnsafeMutablePointer<redisAsyncContext>? = switch target {
        case let .tcp(host, port): redisAsyncConnect(host, Int32(port))
        case let .unix(path): redisAsyncConnectUnix(path)
        }
        guard let created else {
            failSoon("cannot allocate a Redis connection")
            return
        }
        if created.pointee.err != 0 {
            failSoon(String(cString: created.pointee.errstr))
            redisAsyncFree(created)
            return
        }
        created.pointee.data = Unmanaged.passUnretained(self).toOpaque()
        holdfast_redis_attach(created, UnsafeMutableRawPointer(base.raw))
        redisAsyncSetConnectCallback(created, Self.connectCallback)
        redisAsyncSetDisconnectCallback(created, Self.disconnectCallback)
        context = created
        connectTimer.schedule(after: connectTimeout)
    }

    deinit {
        releaseContext()
    }

    /// Queues a command; `reply` gets its answer, or `.error` if the connection ends first.
    /// False (and `reply` is never called) when the connection has already ended.
    @discardableResult
    public func send(_ arguments: [[UInt8]], reply: @escaping (RedisReply) -> Void) -> Bool {
        guard issue(arguments, callback: Self.replyCallback) else { return false }
        pendingReplies.append(reply)
        return true
    }

    /// SUBSCRIBE or UNSUBSCRIBE (or any command whose answers are pushes): replies arrive through `onPush`.
    @discardableResult
    public func sendExpectingPushes(_ arguments: [[UInt8]]) -> Bool {
        issue(arguments, callback: Self.pushCallback)
    }

    /// Ends the connection now; pending replies get `.error`, `onClosed` is not called.
    public func close() {
        onClosed = nil
        end(reason: "closed")
    }

    private func issue(_ arguments: [[UInt8]], callback: ReplyCallback) -> Bool {
        guard let context else { return false }
        var offsets: [Int] = []
        var joined: [UInt8] = []
        for argument in arguments {
            offsets.append(joined.count)
            joined.append(contentsOf: argument)
        }
        let lengths = arguments.map(\.count)
        let status = joined.withUnsafeBufferPointer { bytes -> Int32 in
            let start = UnsafeRawPointer(bytes.baseAddress ?? UnsafePointer(bitPattern: 1)!).assumingMemoryBound(to: CChar.self)
            var pointers: [UnsafePointer<CChar>?] = offsets.map { start + $0 }
            return redisAsyncCommandArgv(context, callback, nil, Int32(arguments.count), &pointers, lengths)
        }
        return status == REDIS_OK
    }

    private func announce() {
        if let earlyFailure {
            end(reason: earlyFailure)
        } else if isConnected {
            onConnected?()
        }
    }

    private func failSoon(_ reason: String) {
        earlyFailure = reason
        announceTimer.schedule(after: .zero)
    }

    private func replied(_ reply: RedisReply) {
        guard firstPending < pendingReplies.count else { return }
        let handler = pendingReplies[firstPending]
        firstPending += 1
        // A queue that never drains (commands always in flight) is compacted now and then instead.
        if firstPending == pendingReplies.count || firstPending >= 1024 {
            pendingReplies.removeFirst(firstPending)
            firstPending = 0
        }
        handler(reply)
    }

    /// The one way a connection ends: whatever is pending fails, and `onClosed` hears why, once.
    private func end(reason: String) {
        connectTimer.cancel()
        announceTimer.cancel()
        releaseContext()
        isConnected = false
        let waiting = pendingReplies[firstPending...]
        pendingReplies = []
        firstPending = 0
        for handler in waiting { handler(.connectionLost) }
        onConnected = nil
        let closed = onClosed
        onClosed = nil
        closed?(reason)
    }

    /// Detaches from the context and frees it. Inside a reply callback hiredis defers the free until
    /// the callback returns; connect and disconnect callbacks never get here (hiredis frees those itself).
    private func releaseContext() {
        guard let context else { return }
        self.context = nil
        context.pointee.data = nil
        redisAsyncFree(context)
    }

    /// hiredis frees the context itself after a failed connect or a disconnect: forget it first.
    private func contextFreedByHiredis() {
        context?.pointee.data = nil
        context = nil
    }

    private static func owner(of context: UnsafePointer<redisAsyncContext>?) -> RedisConnection? {
        guard let data = context?.pointee.data else { return nil }
        return Unmanaged<RedisConnection>.fromOpaque(data).takeUnretainedValue()
    }

    private static let connectCallback: @convention(c) (UnsafePointer<redisAsyncContext>?, Int32) -> Void = { context, status in
        guard let connection = owner(of: context) else { return }
        withExtendedLifetime(connection) {
            connection.connectTimer.cancel()
            if status == REDIS_OK {
                connection.isConnected = true
                connection.announceTimer.schedule(after: .zero)
            } else {
                let reason = errorText(context)
                connection.contextFreedByHiredis()
                connection.end(reason: reason)
            }
        }
    }

    private static let disconnectCallback: @convention(c) (UnsafePointer<redisAsyncContext>?, Int32) -> Void = { context, _ in
        guard let connection = owner(of: context) else { return }
        let reason = errorText(context)
        connection.contextFreedByHiredis()
        withExtendedLifetime(connection) { connection.end(reason: reason) }
    }

    private static let replyCallback: ReplyCallback = { context, reply, _ in
        guard let connection = owner(of: context) else { return }
        withExtendedLifetime(connection) {
            connection.replied(reply.map { RedisReply(copying: $0.assumingMemoryBound(to: redisReply.self)) } ?? .connectionLost)
        }
    }

    private static let pushCallback: ReplyCallback = { context, reply, _ in
        guard let connection = owner(of: context), let reply else { return }
        withExtendedLifetime(connection) { connection.onPush(RedisReply(copying: reply.assumingMemoryBound(to: redisReply.self))) }
    }

    private static func errorText(_ context: UnsafePointer<redisAsyncContext>?) -> String {
        guard let context, context.pointee.err != 0, let text = context.pointee.errstr else { return "connection closed by Redis" }
        return String(cString: text)
    }
}

extension RedisReply {
    init(copying reply: UnsafeMutablePointer<redisReply>) {
        let raw = reply.pointee
        switch raw.type {
        case REDIS_REPLY_STRING:
            self = .bulk(raw.str.map { Array(UnsafeRawBufferPointer(start: $0, count: raw.len)) } ?? [])
        case REDIS_REPLY_STATUS:
            self = .status(Self.text(raw))
        case REDIS_REPLY_ERROR:
            self = .error(Self.text(raw))
        case REDIS_REPLY_INTEGER:
            self = .integer(raw.integer)
        case REDIS_REPLY_ARRAY:
            self = .array((0..<raw.elements).compactMap { raw.element[$0].map(RedisReply.init(copying:)) })
        default:
            self = .null
        }
    }

    private static func text(_ raw: redisReply) -> String {
        guard let str = raw.str else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: str, count: raw.len), as: UTF8.self)
    }
}
