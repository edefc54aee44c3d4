import HTTP1
import XCTest
@testable import Proxy

/// The proxied request's decisions, driven without sockets.
final class ExchangeMachineTests: XCTestCase {
    private func sent(backend: Int = 0) -> ExchangeMachine {
        var machine = ExchangeMachine(backend: backend, continuingStream: false)
        XCTAssertEqual(machine.startAction, .acquire(backend: backend))
        XCTAssertEqual(machine.upstreamReady(), .sendRequest)
        return machine
    }

    func testRelayedResponse() {
        var machine = sent()
        XCTAssertEqual(machine.informationalResponse(status: 100), .none, "a 1xx head is not the answer")
        XCTAssertEqual(machine.phase, .awaitingResponseHead)
        machine.responseHead(.relaying, writesHead: true)
        XCTAssertTrue(machine.clientHasBytes)
        XCTAssertEqual(machine.responseComplete(), .complete)
        XCTAssertEqual(machine.phase, .finished)
        XCTAssertEqual(machine.responseComplete(), .none)
        XCTAssertEqual(machine.failed(.responseTimeout, alternative: nil), .none, "nothing happens to a finished exchange")
    }

    func testUpgradeOpensItsOwnConnectionAndA101MakesATunnel() {
        var machine = ExchangeMachine(backend: 0, continuingStream: false, upgrade: true)
        XCTAssertEqual(machine.startAction, .acquire(backend: 0, dedicated: true))
        XCTAssertEqual(machine.failed(.connectFailed, alternative: 1), .acquire(backend: 1, dedicated: true), "a retry is dedicated too")
        XCTAssertEqual(machine.upstreamReady(), .sendRequest)
        XCTAssertEqual(machine.informationalResponse(status: 100), .none)
        XCTAssertEqual(machine.informationalResponse(status: 101), .tunnel)
        XCTAssertEqual(machine.phase, .finished)
        XCTAssertEqual(machine.failed(.upstreamClosed(connectionWasReused: false), alternative: nil), .none,
                       "the tunnel, not the exchange, hears of the backend closing")
    }

    func testUpgradeRefusedByTheBackendIsAnOrdinaryResponse() {
        var machine = ExchangeMachine(backend: 0, continuingStream: false, upgrade: true)
        _ = machine.upstreamReady()
        machine.responseHead(.relaying, writesHead: true)
        XCTAssertEqual(machine.responseComplete(), .complete)
    }

    func testA101WithoutAnUpgradeIsIgnored() {
        var machine = sent()
        XCTAssertEqual(machine.informationalResponse(status: 101), .none)
        XCTAssertEqual(machine.phase, .awaitingResponseHead)
    }

    func testQueueTimeoutIs503() {
        var machine = ExchangeMachine(backend: 0, continuingStream: false)
        XCTAssertEqual(machine.failed(.queueTimeout, alternative: 1), .respond(status: 503))
    }

    /// A connect failure is retried once on another healthy backend, never twice.
    func testConnectFailuresRetryOnceElsewhere() {
        for failure in [ExchangeMachine.Failure.connectFailed, .connectTimeout] {
            var machine = ExchangeMachine(backend: 0, continuingStream: false)
            XCTAssertEqual(machine.failed(failure, alternative: 2), .acquire(backend: 2))
            XCTAssertEqual(machine.backend, 2)
            XCTAssertEqual(machine.upstreamReady(), .sendRequest)
            var again = ExchangeMachine(backend: 0, continuingStream: false)
            _ = again.failed(failure, alternative: 2)
            XCTAssertEqual(again.failed(failure, alternative: 0), .respond(status: 502))
            var alone = ExchangeMachine(backend: 0, continuingStream: false)
            XCTAssertEqual(alone.failed(failure, alternative: nil), .respond(status: 502))
        }
    }

    /// A stream continued from its backend already has bytes at the client: failures can only cut it.
    func testFailureAfterBytesWentOutCutsTheClient() {
        var continuing = ExchangeMachine(backend: 0, continuingStream: true)
        XCTAssertEqual(continuing.failed(.connectFailed, alternative: 1), .cutClient(status: 502))
        var relaying = sent()
        relaying.responseHead(.relaying, writesHead: true)
        XCTAssertEqual(relaying.failed(.malformedResponse, alternative: nil), .cutClient(status: 502))
        var holding = sent()
        holding.responseHead(.collectingHoldBody, writesHead: false)
        XCTAssertEqual(holding.failed(.holdBodyTooLarge, alternative: nil), .respond(status: 502))
    }

    /// A reused pooled connection the backend had closed: the request is sent again, once.
    func testStalePooledConnectionIsRetriedOnce() {
        var machine = sent()
        XCTAssertEqual(machine.failed(.upstreamClosed(connectionWasReused: true), alternative: nil), .acquire(backend: 0))
        XCTAssertEqual(machine.upstreamReady(), .sendRequest)
        XCTAssertEqual(machine.failed(.upstreamClosed(connectionWasReused: true), alternative: nil), .respond(status: 502))
        var fresh = sent()
        XCTAssertEqual(fresh.failed(.upstreamClosed(connectionWasReused: false), alternative: nil), .respond(status: 502))
        var large = sent()
        large.requestNoLongerRetained()
        XCTAssertEqual(large.failed(.upstreamClosed(connectionWasReused: true), alternative: nil), .respond(status: 502),
                       "a request too large to keep cannot be sent again")
    }

    func testCloseEndsACloseDelimitedBody() {
        var machine = sent()
        machine.responseHead(.relaying, writesHead: true)
        XCTAssertEqual(machine.failed(.upstreamClosed(connectionWasReused: false), alternative: nil, bodyEndsWithClose: true), .complete)
        var truncated = sent()
        truncated.responseHead(.streaming, writesHead: true)
        XCTAssertEqual(truncated.failed(.upstreamClosed(connectionWasReused: false), alternative: nil), .cutClient(status: 502))
    }

    func testResponseTimeoutIs504() {
        var machine = sent()
        XCTAssertEqual(machine.failed(.responseTimeout, alternative: 1), .respond(status: 504))
    }

    func testRefusedBodyAnswersItsStatus() {
        var machine = ExchangeMachine(backend: 0, continuingStream: false)
        XCTAssertEqual(machine.requestRefused(status: 413), .respond(status: 413))
        var gone = ExchangeMachine(backend: 0, continuingStream: false)
        gone.clientGone()
        XCTAssertEqual(gone.requestRefused(status: 413), .none)
        XCTAssertEqual(gone.upstreamReady(), .none, "a connection lent after the client left is not used")
    }

    /// Holdfast answers `100 Continue` itself, only to HTTP/1.1 clients that asked and have a body to send.
    func testWhoExpectsContinue() {
        func head(_ version: HTTPVersion, _ framing: BodyFraming, expect: String?) -> RequestHead {
            RequestHead(method: "POST", target: "/", version: version,
                        headers: HTTPHeaders(expect.map { [("Expect", $0)] } ?? []), framing: framing, keepAlive: true)
        }
        XCTAssertTrue(head(.http11, .contentLength(5), expect: "100-continue").expectsContinue)
        XCTAssertTrue(head(.http11, .chunked, expect: "100-Continue").expectsContinue)
        XCTAssertFalse(head(.http10, .contentLength(5), expect: "100-continue").expectsContinue)
        XCTAssertFalse(head(.http11, .none, expect: "100-continue").expectsContinue)
        XCTAssertFalse(head(.http11, .contentLength(5), expect: nil).expectsContinue)
    }
}
