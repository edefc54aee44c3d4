import EventLoop
import GRIP

/// The message a `send-delayed` control message left for the client, with the timer that sends it.
/// It exists only while the message is pending, so a connection without one costs nothing more.
final class DelayedClientMessage {
    let frame: [UInt8]
    private let timer: Timer

    init(_ delayed: WebSocketDelayedMessage, base: EventBase, due: @escaping () -> Void) {
        frame = delayed.message.frame
        timer = Timer(base: base, handler: due)
        timer.schedule(after: .seconds(delayed.seconds))
    }
}
