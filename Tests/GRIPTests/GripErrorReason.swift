import GRIP
import XCTest

/// The reason of the `GripHeaderError` that `body` throws; a test failure when it throws nothing or something else.
func gripErrorReason<T>(file: StaticString, line: UInt, _ body: () throws -> T) -> String {
    do {
        let parsed = try body()
        XCTFail("expected an error, got \(String(describing: parsed))", file: file, line: line)
        return ""
    } catch let error as GripHeaderError {
        return error.reason
    } catch {
        XCTFail("unexpected \(error)", file: file, line: line)
        return ""
    }
}
