// What every libFuzzer target of Fuzz/ reports a broken property with; compiled into each of them.

#if canImport(Glibc)
import Glibc
#endif

func outcome<Value, Failure: Error>(_ body: () throws(Failure) -> Value) -> Result<Value, Failure> {
    do { return .success(try body()) } catch { return .failure(error) }
}

/// Like precondition, but the message survives -O, so a crash report says what disagreed.
func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fail(message()) }
}

func fail(_ message: String) -> Never {
    fputs("fuzz check failed: \(message)\n", stderr)
    abort()
}
