/// The version reported by `GET /status`.
public let holdfastVersion = "0.1.0"
