@testable import Proxy
import XCTest

/// `OrderedAnswers`: pipelined answers leave in request order, whatever order they are ready in.
final class OrderedAnswersTests: XCTestCase {
    func testAnswersReadyInOrderLeaveAtOnce() {
        var answers = OrderedAnswers()
        let first = answers.reserve()
        let second = answers.reserve()
        XCTAssertEqual(answers.fill(first, with: [1]), [1])
        XCTAssertEqual(answers.unanswered, 1)
        XCTAssertEqual(answers.fill(second, with: [2, 2]), [2, 2])
        XCTAssertEqual(answers.unanswered, 0)
    }

    func testALaterAnswerWaitsForTheEarlierOnesThenLeavesWithThem() {
        var answers = OrderedAnswers()
        let tickets = (0..<3).map { _ in answers.reserve() }
        XCTAssertEqual(answers.fill(tickets[2], with: [3]), [])
        XCTAssertEqual(answers.fill(tickets[1], with: [2]), [])
        XCTAssertEqual(answers.unanswered, 3)
        XCTAssertEqual(answers.fill(tickets[0], with: [1]), [1, 2, 3])
        XCTAssertEqual(answers.unanswered, 0)
    }

    func testTicketsGoOnAfterEarlierAnswersLeft() {
        var answers = OrderedAnswers()
        let first = answers.reserve()
        XCTAssertEqual(answers.fill(first, with: [1]), [1])
        let second = answers.reserve()
        let third = answers.reserve()
        XCTAssertEqual(answers.fill(third, with: [3]), [])
        XCTAssertEqual(answers.fill(second, with: [2]), [2, 3])
    }
}
