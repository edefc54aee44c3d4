import Config

/// The `route` label of metrics: the route's path prefix, after its host when it has one
/// (`api.example.com/v1/`, `*.example.org/`); requests that matched no route are `none`.
enum RouteLabel {
    static let unmatched = "none"

    static func label(forRoute index: Int, in config: ProxyConfig) -> String {
        guard config.routes.indices.contains(index) else { return unmatched }
        let route = config.routes[index]
        switch route.host {
        case nil: return route.pathPrefix
        case let .exact(host)?: return host + route.pathPrefix
        case let .subdomains(suffix)?: return "*." + suffix + route.pathPrefix
        }
    }
}
