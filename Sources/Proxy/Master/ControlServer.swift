import EventLoop
import Logging

/// The control listener (docs/operations.md): accepts connections and serves each with a `ControlConnection`.
/// At its connection cap it stops accepting: further clients wait in the kernel's accept queue
/// instead of taking descriptors the master needs for health checks and worker links.
final class ControlServer {
    private(set) var listener: Listener!
    let address: String
    let base: EventBase
    let handler: ControlConnection.Handler
    /// Read by each connection at each request.
    var limits: ControlLimits
    /// The most connections open at once, asked at every accept and close: it depends on what else
    /// the master holds.
    private let capacity: () -> Int
    /// Connections whose descriptor is still open (a lingering close included).
    private(set) var openConnections = 0
    private var isAccepting = false
    /// Connections with answers to write once the loop's pass is done.
    private var unwritten: [ControlConnection] = []
    private lazy var writeTimer = Timer(base: base) { [unowned self] in
        let connections = unwritten
        unwritten = []
        for connection in connections { connection.writeAnswers() }
    }
    private var isClosed = false

    /// Opens the listening socket; throws when the address cannot be bound.
    init(base: EventBase, address: SocketAddress, limits: ControlLimits, capacity: @escaping () -> Int,
         logger: Logger, handler: @escaping ControlConnection.Handler) throws(SocketError) {
        let fd = try openListeningSocket(address, backlog: 128)
        self.address = address.description
        self.base = base
        self.handler = handler
        self.limits = limits
        self.capacity = capacity
        listener = Listener(base: base, fd: fd, onAccept: { [unowned self] fd, _ in accepted(fd) }, onError: { error in
            logger.warning("control listener: \(error)")
        })
        updateAccepting()
    }

    private func accepted(_ fd: Int32) {
        openConnections += 1
        let socket = Socket(base: base, fd: fd)
        // Pipelined answers are small writes in a row: Nagle would hold each back for the peer's ACK.
        socket.setNoDelay()
        // Holds the server until its last connection is gone, even after a reload replaced it.
        socket.onClose { [self] in
            openConnections -= 1
            updateAccepting()
        }
        _ = ControlConnection(socket: socket, server: self)
        updateAccepting()
    }

    /// Answers completed together (a batch of publishes) then leave a connection in one write.
    func writeAtEndOfPass(_ connection: ControlConnection) {
        unwritten.append(connection)
        if !writeTimer.isScheduled { writeTimer.schedule(after: .zero) }
    }

    /// Accepts exactly while below the cap; called whenever the count or the cap may have changed.
    func updateAccepting() {
        let shouldAccept = !isClosed && openConnections < capacity()
        guard shouldAccept != isAccepting else { return }
        isAccepting = shouldAccept
        if shouldAccept { listener.resume() } else { listener.pause() }
    }

    /// Stops accepting and closes the listening socket; open connections finish on their own.
    func close() {
        isClosed = true
        isAccepting = false
        listener.close()
    }
}
