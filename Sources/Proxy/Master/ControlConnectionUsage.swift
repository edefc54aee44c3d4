/// How full the control listener is, for /metrics: a monitoring scraper that finds `open` at
/// `capacity` knows further control clients wait in the kernel's accept queue.
struct ControlConnectionUsage {
    var open: Int
    var capacity: Int
}
