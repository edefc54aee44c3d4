/// What a `Socket` reports. Every call comes from the event loop, never from inside a `Socket` method
/// the delegate itself called, so a delegate may close or write from any of these without re-entrancy.
public protocol SocketDelegate: AnyObject {
    /// Bytes arrived. `bytes` points into the loop's shared scratch buffer: valid only during this call.
    func socket(_ socket: Socket, didRead bytes: UnsafeRawBufferPointer)
    /// The peer finished sending (read returned 0). Reading has stopped; writing may still work.
    func socketDidReadEOF(_ socket: Socket)
    /// The read wait (or an outgoing connect) passed its timeout with nothing happening.
    func socketDidTimeOut(_ socket: Socket)
    /// Queued output made no progress for the loop's `writeStallTimeout` (only when the socket
    /// `reportsWriteStalls`): the peer stopped reading.
    func socketWriteDidStall(_ socket: Socket)
    /// All queued output reached the kernel.
    func socketDidDrain(_ socket: Socket)
    /// An outgoing connection completed.
    func socketDidConnect(_ socket: Socket)
    /// A read, write or connect failed; the socket is unusable and should be closed.
    func socket(_ socket: Socket, didFail error: SocketError)
}

extension SocketDelegate {
    public func socketDidDrain(_ socket: Socket) {}
    public func socketDidConnect(_ socket: Socket) {}
    public func socketWriteDidStall(_ socket: Socket) {}
}
