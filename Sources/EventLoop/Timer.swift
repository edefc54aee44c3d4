import CLibevent

/// A one-shot or repeating timer on an event loop. Used for the few per-process timers (pool sweeps,
/// health checks, drain deadlines); per-connection timeouts ride on the connection's own read event.
public final class Timer {
    private let base: EventBase
    private var event: UnsafeMutablePointer<event>?
    private let handler: () -> Void

    private static let callback: event_callback_fn = { _, _, arg in
        let timer = Unmanaged<Timer>.fromOpaque(arg!).takeUnretainedValue()
        withExtendedLifetime(timer) { timer.handler() }
    }

    public init(base: EventBase, handler: @escaping () -> Void) {
        self.base = base
        self.handler = handler
        event = event_new(base.raw, -1, 0, Self.callback, Unmanaged.passUnretained(self).toOpaque())
    }

    deinit {
        if let event { event_free(event) }
    }

    /// (Re)arms the timer; a repeating timer fires every `interval` until cancelled.
    public func schedule(after interval: Duration, repeating: Bool = false) {
        guard let old = event else { return }
        event_del(old)
        event_assign(old, base.raw, -1, repeating ? Int16(EV_PERSIST) : 0, Self.callback, Unmanaged.passUnretained(self).toOpaque())
        var tv = EventBase.timevalFor(interval)
        event_add(old, &tv)
    }

    public func cancel() {
        if let event { event_del(event) }
    }

    public var isScheduled: Bool {
        guard let event else { return false }
        return event_pending(event, Int16(EV_TIMEOUT), nil) != 0
    }
}
