import CLibevent

/// Delivers a POSIX signal to a handler on the event loop (not in signal context).
public final class SignalWatcher {
    private var event: UnsafeMutablePointer<event>?
    private let handler: () -> Void

    public init(base: EventBase, signal: Int32, handler: @escaping () -> Void) {
        self.handler = handler
        event = event_new(base.raw, signal, Int16(EV_SIGNAL | EV_PERSIST), Self.callback, Unmanaged.passUnretained(self).toOpaque())
        event_add(event, nil)
    }

    deinit {
        if let event { event_free(event) }
    }

    private static let callback: event_callback_fn = { _, _, arg in
        let watcher = Unmanaged<SignalWatcher>.fromOpaque(arg!).takeUnretainedValue()
        withExtendedLifetime(watcher) { watcher.handler() }
    }
}
