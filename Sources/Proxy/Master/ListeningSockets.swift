import Config
import EventLoop
import Glibc

/// The client listening sockets of `server.listen` and `server.tls.listen`, kept by address so a reload reuses the descriptor
/// of every address it keeps (workers of both generations then share one accept queue).
struct ListeningSockets {
    private(set) var descriptors: [EndpointAddress: Int32] = [:]

    /// Opens the addresses not open yet. All or nothing: on a failure the ones opened here are closed again.
    mutating func open(_ addresses: [EndpointAddress]) throws(SocketError) {
        var opened: [EndpointAddress] = []
        for address in addresses where descriptors[address] == nil {
            do {
                let resolved = try SocketAddress.resolve(host: address.host, port: address.port)
                descriptors[address] = try openListeningSocket(resolved)
                opened.append(address)
            } catch {
                close(opened)
                throw error
            }
        }
    }

    /// The descriptors of `addresses`, in that order (all must be open).
    func descriptors(for addresses: [EndpointAddress]) -> [Int32] {
        addresses.compactMap { descriptors[$0] }
    }

    /// Closes the master's copies of every address not in `kept` (workers keep their own copies).
    mutating func close(allBut kept: Set<EndpointAddress>) {
        close(descriptors.keys.filter { !kept.contains($0) })
    }

    private mutating func close(_ addresses: [EndpointAddress]) {
        for address in addresses {
            if let fd = descriptors.removeValue(forKey: address) { Glibc.close(fd) }
        }
    }
}

extension ServerConfig {
    /// Every client listener: `listen`, then the TLS one.
    var allListenAddresses: [EndpointAddress] { listen + (tls?.listen ?? []) }
}
