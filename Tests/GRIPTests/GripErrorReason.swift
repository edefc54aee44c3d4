import GRIP
import XCTest

/// GRIP's refusals all carry a reason for people.
protocol ReasonedError: Error {
    var reason: String { get }
}

extension GripHeaderError: ReasonedError {}
extension PublishError: ReasonedError {}

/// The reason of the `E` that `body` throws; a test failure when it throws nothing or something else.
func errorReason<E: ReasonedError, T>(_: E.Type, file: StaticString, line: UInt, _ body: () throws -> T) -> String {
    do {
        let parsed = try body()
        XCTFail("expected an error, got \(String(describing: parsed))", file: file, line: line)
        return ""
    } catch let error as E {
        return error.reason
    } catch {
        XCTFail("unexpected \(error)", file: file, line: line)
        return ""
    }
}
