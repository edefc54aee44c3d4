import Config
import GRIP

/// The master's glue to `ClusterLink`: what Redis brings in goes to every worker like a publish.
extension Master {
    func startCluster(_ config: ProxyConfig) {
        guard let address = config.cluster.redis else { return }
        let link = ClusterLink(base: base, address: address, cluster: config.cluster, channels: config.channels, logger: logger)
        link.onMessage = { [unowned self] items in
            // Nobody waits for this answer: the publisher was answered by its own instance. Queued
            // with the local publishes, so the workers get both in the order Redis numbered them.
            queuePublish(PublishCodec.encode(items), answer: nil)
        }
        cluster = link
        link.start()
    }
}
