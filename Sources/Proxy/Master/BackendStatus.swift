/// A backend of the current configuration and whether health checks deem it up.
struct BackendStatus: Equatable {
    var name: String
    var isUp: Bool
}
