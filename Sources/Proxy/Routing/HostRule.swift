import Config

/// A host pattern of the file in comparable form, for routes (`host`) and SNI (`server_names`) alike.
enum HostRule: Sendable, Equatable {
    case exact(String)
    /// `.example.org`: the host must end with it and have something before it.
    case dottedSuffix(String)

    init(_ pattern: HostPattern) {
        switch pattern {
        case .exact(let name): self = .exact(HostName.normalized(name) ?? name)
        case .subdomains(let suffix): self = .dottedSuffix("." + (HostName.normalized(suffix) ?? suffix))
        }
    }

    /// `host` must already be `HostName.normalized`.
    func matches(_ host: String) -> Bool {
        switch self {
        case .exact(let name): host == name
        case .dottedSuffix(let suffix): host.utf8.count > suffix.utf8.count && host.utf8.suffix(suffix.utf8.count).elementsEqual(suffix.utf8)
        }
    }
}
