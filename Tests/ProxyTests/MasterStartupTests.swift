import Config
import EventLoop
import Glibc
import Logging
@testable import Proxy
import XCTest

/// Startup failures end `run()` with status 1 before any worker starts.
final class MasterStartupTests: XCTestCase {
    func testUnreadableConfigFileFailsStartup() {
        let master = Master(configPath: "/nonexistent/holdfast.conf", config: masterTestConfig(), certificates: [], logger: Logger(label: "test"), workerArguments: [])
        XCTAssertEqual(master.run(), 1)
        XCTAssertTrue(master.workers.isEmpty)
    }

    func testAddressInUseFailsStartup() throws {
        let path = NSTemporaryDirectory() + "holdfast-master-\(getpid()).conf"
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data("# test\n".utf8)))
        defer { unlink(path) }
        let taken = try openListeningSocket(SocketAddress.resolve(host: "127.0.0.1", port: 0))
        defer { close(taken) }
        var bound = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &bound) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(taken, $0, &length) } }
        var config = masterTestConfig()
        config.server.listen = [EndpointAddress(host: "127.0.0.1", port: UInt16(bigEndian: bound.sin_port))]
        let master = Master(configPath: path, config: config, certificates: [], logger: Logger(label: "test"), workerArguments: [])
        XCTAssertEqual(master.run(), 1)
        XCTAssertTrue(master.workers.isEmpty)
        XCTAssertTrue(master.listeners.descriptors.isEmpty, "nothing left open")
    }
}
