import XCTest
@testable import Proxy

/// The client connection's state machine driven by scenario tables and a test clock: no sockets.
final class ConnectionLifecycleTests: XCTestCase {
    private let settings = ConnectionLifecycle.Settings(headerTimeoutMilliseconds: 10_000, idleTimeoutMilliseconds: 75_000,
                                                        maxBufferedInputBytes: 100, outputHighWaterBytes: 1000,
                                                        tunnelIdleMilliseconds: 600_000)
    typealias State = ConnectionLifecycle.State

    /// A machine brought to `state` the way a connection gets there, at time `now`.
    private func machine(in state: State, now: Int64 = 0) -> ConnectionLifecycle {
        var machine = ConnectionLifecycle(settings: settings, connectedAt: now)
        switch state {
        case .awaitingRequest:
            break
        case .readingHead:
            _ = machine.bytesArrived(count: 5, buffered: 0, now: now)
        case let .serving(requestComplete):
            machine.headParsed(requestComplete: requestComplete)
        case .awaitingDrain:
            machine.headParsed(requestComplete: true)
            _ = machine.answered(keepAlive: true, windingDown: false, pendingOutput: 5000, buffered: 0, now: now)
        case let .held(wakeAt):
            machine.headParsed(requestComplete: true)
            _ = machine.held(wakeAt: wakeAt)
        case let .heldWebSocket(wakeAt):
            machine.headParsed(requestComplete: true)
            _ = machine.held(wakeAt: wakeAt, asWebSocket: true)
        case let .tunnelling(lastTraffic):
            machine.headParsed(requestComplete: true)
            _ = machine.tunnelOpened(now: lastTraffic)
        case .closed:
            machine.closed()
        }
        XCTAssertEqual(machine.state, state, "setup")
        return machine
    }

    private let everyState: [State] = [.awaitingRequest(deadline: 10_000), .readingHead(deadline: 10_000),
                                       .serving(requestComplete: false), .serving(requestComplete: true), .awaitingDrain,
                                       .held(wakeAt: 30_000), .held(wakeAt: nil), .tunnelling(lastTraffic: 0),
                                       .heldWebSocket(wakeAt: 30_000), .closed]

    func testConnectingWaitsTheHeaderTimeoutForTheFirstByte() {
        let machine = ConnectionLifecycle(settings: settings, connectedAt: 500)
        XCTAssertEqual(machine.state, .awaitingRequest(deadline: 10_500))
        XCTAssertEqual(machine.initialAction, .read(until: 10_500))
    }

    /// The head's clock starts with its first byte and later bytes do not move it (slowloris).
    func testHeadDeadlineIsAbsolute() {
        var machine = ConnectionLifecycle(settings: settings, connectedAt: 0)
        XCTAssertEqual(machine.bytesArrived(count: 3, buffered: 0, now: 2000), .parseHead)
        XCTAssertEqual(machine.state, .readingHead(deadline: 12_000))
        XCTAssertEqual(machine.headIncomplete(), .read(until: 12_000))
        XCTAssertEqual(machine.bytesArrived(count: 3, buffered: 3, now: 9000), .parseHead)
        XCTAssertEqual(machine.headIncomplete(), .read(until: 12_000))
        XCTAssertEqual(machine.deadlinePassed(now: 11_999), .read(until: 12_000))
        XCTAssertEqual(machine.deadlinePassed(now: 12_000), .timeOut(.clientHeader, answer: 408))
        XCTAssertEqual(machine.state, .closed)
    }

    func testEveryTimeoutKind() {
        let table: [(State, Int64, ConnectionLifecycle.Action)] = [
            (.awaitingRequest(deadline: 10_000), 10_000, .timeOut(.clientHeader, answer: nil)),
            (.awaitingRequest(deadline: 10_000), 9_000, .read(until: 10_000)),
            (.readingHead(deadline: 10_000), 10_000, .timeOut(.clientHeader, answer: 408)),
            (.serving(requestComplete: false), 80_000, .timeOut(.clientIdle, answer: nil)),
            (.serving(requestComplete: true), 80_000, .none),
            (.awaitingDrain, 80_000, .none),
            (.held(wakeAt: 30_000), 30_000, .wakeHold),
            (.held(wakeAt: 30_000), 29_000, .read(until: 30_000)),
            (.held(wakeAt: nil), 99_000, .none),
            (.tunnelling(lastTraffic: 0), 599_999, .read(until: 600_000)),
            (.tunnelling(lastTraffic: 0), 600_000, .cut(.tunnelIdle)),
            (.heldWebSocket(wakeAt: 30_000), 29_000, .read(until: 30_000)),
            (.heldWebSocket(wakeAt: 30_000), 30_000, .wakeHold),
            (.closed, 99_000, .none),
        ]
        for (state, now, expected) in table {
            var machine = machine(in: state)
            XCTAssertEqual(machine.deadlinePassed(now: now), expected, "\(state) at \(now)")
        }
        // After a request was served, the wait between requests is the idle timeout.
        var served = machine(in: .serving(requestComplete: true))
        XCTAssertEqual(served.answered(keepAlive: true, windingDown: false, pendingOutput: 0, buffered: 0, now: 1000),
                       .read(until: 76_000))
        XCTAssertEqual(served.deadlinePassed(now: 76_000), .timeOut(.clientIdle, answer: nil))
    }

    /// EOF: a whole request still gets its answer (half-close); anywhere else the client is gone.
    func testEndOfInputInEveryState() {
        let expected: [ConnectionLifecycle.Action] = [.abort(nil), .abort(nil), .abort(nil), .none, .none, .abort(nil), .abort(nil),
                                                      .close, .abort(nil), .none]
        for (state, action) in zip(everyState, expected) {
            var machine = machine(in: state)
            XCTAssertEqual(machine.peerClosed(), action, "EOF in \(state)")
        }
        var halfClosed = machine(in: .serving(requestComplete: true))
        _ = halfClosed.peerClosed()
        XCTAssertEqual(halfClosed.answered(keepAlive: true, windingDown: false, pendingOutput: 0, buffered: 0, now: 0), .close)
    }

    func testSocketFailureInEveryStateReleasesEverything() {
        for state in everyState {
            var machine = machine(in: state)
            XCTAssertEqual(machine.socketFailed(), state == .closed ? .none : .abort(nil), "failure in \(state)")
            XCTAssertEqual(machine.state, .closed)
        }
    }

    /// Pipelined bytes are kept while a request is served, reading stops once they fill a head's worth.
    func testBytesWhileServingAreBufferedAndBounded() {
        var machine = machine(in: .serving(requestComplete: true))
        XCTAssertEqual(machine.bytesArrived(count: 60, buffered: 0, now: 0), .buffer(thenStopReading: false, until: nil))
        XCTAssertEqual(machine.bytesArrived(count: 60, buffered: 60, now: 0), .buffer(thenStopReading: true, until: nil))
        var uploading = self.machine(in: .serving(requestComplete: false))
        XCTAssertEqual(uploading.bytesArrived(count: 500, buffered: 0, now: 0), .feedBody)
    }

    /// Held clients are always read; their input is a next request up to a head's worth, beyond that they are cut.
    func testBytesWhileHeld() {
        var machine = machine(in: .held(wakeAt: 30_000))
        XCTAssertEqual(machine.bytesArrived(count: 40, buffered: 0, now: 5000), .buffer(thenStopReading: false, until: 30_000))
        XCTAssertEqual(machine.state, .held(wakeAt: 30_000), "bytes do not move a hold's deadline")
        XCTAssertEqual(machine.bytesArrived(count: 61, buffered: 40, now: 6000), .abort(.clientInput))
        XCTAssertEqual(machine.state, .closed)
    }

    func testPipelinedRequestIsParsedAfterTheAnswer() {
        var machine = machine(in: .serving(requestComplete: true))
        XCTAssertEqual(machine.answered(keepAlive: true, windingDown: false, pendingOutput: 10, buffered: 30, now: 100), .parseHead)
        XCTAssertEqual(machine.state, .readingHead(deadline: 10_100))
    }

    /// A client that does not read its answers is not read further until it does.
    func testBackpressureOnUnreadOutput() {
        var machine = machine(in: .serving(requestComplete: true))
        XCTAssertEqual(machine.answered(keepAlive: true, windingDown: false, pendingOutput: 1001, buffered: 30, now: 0), .stopReading)
        XCTAssertEqual(machine.state, .awaitingDrain)
        XCTAssertEqual(machine.bytesArrived(count: 80, buffered: 30, now: 0), .buffer(thenStopReading: true, until: nil))
        XCTAssertEqual(machine.outputDrained(buffered: 110, now: 500), .parseHead)
        var idle = self.machine(in: .awaitingDrain)
        XCTAssertEqual(idle.outputDrained(buffered: 0, now: 500), .read(until: 75_500))
        var busy = self.machine(in: .serving(requestComplete: true))
        XCTAssertEqual(busy.outputDrained(buffered: 0, now: 0), .none, "a drain while serving belongs to the request")
    }

    func testAnswersThatEndTheConnection() {
        for (keepAlive, windingDown) in [(false, false), (true, true)] {
            var machine = machine(in: .serving(requestComplete: true))
            XCTAssertEqual(machine.answered(keepAlive: keepAlive, windingDown: windingDown, pendingOutput: 0, buffered: 0, now: 0), .close)
        }
        var closed = machine(in: .closed)
        XCTAssertEqual(closed.answered(keepAlive: true, windingDown: false, pendingOutput: 0, buffered: 0, now: 0), .none)
    }

    /// A stream's keep-alive tick restarts after every write, armed lazily: the earlier wait
    /// passes and re-arms for the rest; a hold that ends is being answered.
    func testHoldRescheduleAndEnd() {
        var machine = machine(in: .held(wakeAt: 20_000))
        XCTAssertEqual(machine.holdRescheduled(wakeAt: 35_000), .none, "the wait armed for 20,000 stays")
        XCTAssertEqual(machine.state, .held(wakeAt: 35_000))
        XCTAssertEqual(machine.deadlinePassed(now: 20_000), .read(until: 35_000), "quiet for less than a tick: no wake")
        XCTAssertEqual(machine.deadlinePassed(now: 35_000), .wakeHold)
        XCTAssertEqual(machine.holdRescheduled(wakeAt: 30_000), .read(until: 30_000), "an earlier deadline (a token's expiry) is armed now")
        var unarmed = self.machine(in: .held(wakeAt: nil))
        XCTAssertEqual(unarmed.holdRescheduled(wakeAt: 5000), .read(until: 5000))
        machine.holdEnded()
        XCTAssertEqual(machine.state, .serving(requestComplete: true))
        var notHeld = self.machine(in: .awaitingRequest(deadline: 10_000))
        XCTAssertEqual(notHeld.holdRescheduled(wakeAt: 5), .none)
        var closed = self.machine(in: .closed)
        XCTAssertEqual(closed.held(wakeAt: 5), .none, "a connection that closed meanwhile is not held")
    }

    /// A tunnel is idle only when neither side sent anything for `tunnel_idle`; it is closed on either side's end.
    func testTunnel() {
        var machine = machine(in: .serving(requestComplete: true))
        XCTAssertEqual(machine.tunnelOpened(now: 1000), .read(until: 601_000))
        XCTAssertEqual(machine.bytesArrived(count: 10_000, buffered: 0, now: 2000), .relayToTunnel, "no buffering, no limit")
        XCTAssertEqual(machine.state, .tunnelling(lastTraffic: 2000))
        machine.tunnelTraffic(now: 300_000)
        XCTAssertEqual(machine.deadlinePassed(now: 602_000), .read(until: 900_000), "the backend's bytes count as traffic")
        XCTAssertEqual(machine.deadlinePassed(now: 900_000), .cut(.tunnelIdle))
        XCTAssertEqual(machine.state, .closed)
        var idle = self.machine(in: .awaitingRequest(deadline: 10_000))
        XCTAssertEqual(idle.tunnelOpened(now: 0), .none, "only a request being served can switch protocols")
        idle.tunnelTraffic(now: 5)
        XCTAssertEqual(idle.state, .awaitingRequest(deadline: 10_000))
    }

    /// A WebSocket Holdfast serves reads whatever the client sends as frames, without limit here
    /// (the frame reader has its own); bytes do not move its next ping.
    func testHeldWebSocket() {
        var machine = machine(in: .heldWebSocket(wakeAt: 30_000))
        XCTAssertEqual(machine.bytesArrived(count: 500, buffered: 0, now: 5000), .readFrames(until: 30_000))
        XCTAssertEqual(machine.state, .heldWebSocket(wakeAt: 30_000))
        XCTAssertEqual(machine.holdRescheduled(wakeAt: 60_000), .none)
        XCTAssertEqual(machine.state, .heldWebSocket(wakeAt: 60_000), "a message delivered restarts the ping tick")
        XCTAssertEqual(machine.deadlinePassed(now: 30_000), .read(until: 60_000), "no ping after a message")
    }

    func testWindingDownClosesOnlyIdleConnections() {
        for state in everyState {
            var machine = machine(in: state)
            let expected: ConnectionLifecycle.Action = if case .awaitingRequest = state { .close } else { .none }
            XCTAssertEqual(machine.windDown(), expected, "wind down in \(state)")
        }
    }
}

extension ConnectionLifecycleTests {
    /// Output left unread for the idle timeout cuts the client in any state but closed.
    func testWriteStallCutsTheClient() {
        for state in everyStateForStalls {
            var machine = ConnectionLifecycle(settings: .init(headerTimeoutMilliseconds: 1, idleTimeoutMilliseconds: 1,
                                                              maxBufferedInputBytes: 1, outputHighWaterBytes: 1,
                                                              tunnelIdleMilliseconds: 1), connectedAt: 0)
            if state == .closed { machine.closed() }
            XCTAssertEqual(machine.writeStalled(), state == .closed ? .none : .cut(.clientSend), "\(state)")
            XCTAssertEqual(machine.state, .closed)
        }
    }

    private var everyStateForStalls: [ConnectionLifecycle.State] { [.awaitingRequest(deadline: 1), .closed] }
}
