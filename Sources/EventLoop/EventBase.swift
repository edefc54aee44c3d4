import CLibevent
import Glibc

/// One libevent `event_base`: the loop of a single-threaded process.
/// Owns a scratch buffer that every socket of this loop reads into, so an idle connection holds no read buffer.
public final class EventBase {
    let raw: OpaquePointer
    let scratch: UnsafeMutableRawBufferPointer
    private var commonTimeouts: [Duration: timeval] = [:]
    /// How long queued output may go unwritten before sockets that ask are told (`Socket.reportsWriteStalls`).
    public var writeStallTimeout: Duration?
    /// `Socket.onClose` actions, by descriptor.
    private var closeActions: [Int32: () -> Void] = [:]

    /// libevent allows 256 distinct common timeouts per base; beyond that, timeouts use the heap.
    private static let commonTimeoutLimit = 200

    public init(scratchBytes: Int = 64 * 1024) {
        guard let base = event_base_new() else { fatalError("event_base_new failed") }
        raw = base
        scratch = .allocate(byteCount: scratchBytes, alignment: 16)
    }

    deinit {
        event_base_free(raw)
        scratch.deallocate()
    }

    /// Runs until `stop()` is called or no events remain.
    public func run() {
        event_base_dispatch(raw)
    }

    public func stop() {
        event_base_loopbreak(raw)
    }

    /// Monotonic milliseconds, cached per loop iteration (cheap to call on hot paths).
    public var nowMilliseconds: Int64 {
        var tv = timeval()
        event_base_gettimeofday_cached(raw, &tv)
        return Int64(tv.tv_sec) * 1000 + Int64(tv.tv_usec) / 1000
    }

    /// A timeval for `duration` that libevent keeps in an O(1) queue instead of its heap:
    /// every event waiting for the same duration shares one list.
    func commonTimeval(_ duration: Duration) -> timeval {
        if let tv = commonTimeouts[duration] { return tv }
        var tv = Self.timevalFor(duration)
        guard commonTimeouts.count < Self.commonTimeoutLimit,
              let common = event_base_init_common_timeout(raw, &tv) else { return tv }
        commonTimeouts[duration] = common.pointee
        return common.pointee
    }

    func watchClose(of fd: Int32, _ action: @escaping () -> Void) {
        closeActions[fd] = action
    }

    func descriptorClosed(_ fd: Int32) {
        guard !closeActions.isEmpty, let action = closeActions.removeValue(forKey: fd) else { return }
        action()
    }

    static func timevalFor(_ duration: Duration) -> timeval {
        let (seconds, attoseconds) = duration.components
        return Glibc.timeval(tv_sec: Int(max(0, seconds)), tv_usec: Int(max(0, attoseconds) / 1_000_000_000_000))
    }
}
