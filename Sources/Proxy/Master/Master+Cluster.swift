import Config
import GRIP

/// The master's glue to `ClusterLink`: what Redis brings in goes to every worker like a publish.
extension Master {
    func startCluster(_ config: ProxyConfig) {
        guard let address = config.cluster.redis else { return }
        let link = ClusterLink(base: base, address: address, cluster: config.cluster, channels: config.channels, logger: logger)
        link.onMessage = { [unowned self] items in
            // Nobody waits for these acknowledgements: the publisher was answered by its own instance.
            let frame = MasterFrame.publish(id: nextRequestID(), items: PublishCodec.encode(items))
            for handle in workers.values where handle.isReachable { handle.send(frame) }
        }
        cluster = link
        link.start()
    }
}
