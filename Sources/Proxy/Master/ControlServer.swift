import EventLoop
import Logging

/// The control listener (SPEC §5): accepts connections and serves each with a `ControlConnection`.
final class ControlServer {
    let listener: Listener
    let address: String

    /// Opens the listening socket; throws when the address cannot be bound.
    init(base: EventBase, address: SocketAddress, logger: Logger, handler: @escaping ControlConnection.Handler) throws(SocketError) {
        let fd = try openListeningSocket(address, backlog: 128)
        self.address = address.description
        listener = Listener(base: base, fd: fd, onAccept: { fd, _ in
            _ = ControlConnection(socket: Socket(base: base, fd: fd), handler: handler)
        }, onError: { error in
            logger.warning("control listener: \(error)")
        })
        listener.resume()
    }

    func close() {
        listener.close()
    }
}
