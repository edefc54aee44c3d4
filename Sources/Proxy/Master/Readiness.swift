import GRIP
import Config

/// Whether the proxy can serve traffic (`GET /readyz`): nil when ready, else why not.
enum Readiness {
    /// `backendIsUp` is indexed like `config.backends`. Subscribe routes need no backend.
    /// `clusterProblem` is why Redis cannot be used (`ClusterLink.problem`), if it cannot.
    static func problem(config: ProxyConfig, isListening: Bool, isDraining: Bool, backendIsUp: [Bool],
                        clusterProblem: String? = nil) -> String? {
        if isDraining { return "shutting down" }
        if !isListening { return "not listening" }
        if let clusterProblem { return clusterProblem }
        let problems = config.routes.indices.compactMap { index -> String? in
            let route = config.routes[index]
            guard !route.backends.isEmpty,
                  !route.backends.contains(where: { backendIsUp.indices.contains($0) && backendIsUp[$0] }) else { return nil }
            let names = route.backends.map { config.backends.indices.contains($0) ? config.backends[$0].name : "#\($0)" }
            return "route \(JSONText.quoted(RouteLabel.label(forRoute: index, in: config))): no healthy backend (\(names.joined(separator: ", ")))"
        }
        return problems.isEmpty ? nil : problems.joined(separator: "; ")
    }
}
