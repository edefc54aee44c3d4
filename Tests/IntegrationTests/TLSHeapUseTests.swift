import XCTest

/// A TLS worker gives OpenSSL a heap of its own (`CTLSHeap`, docs/architecture.md "TLS"), set up
/// before OpenSSL's first allocation.
extension TLSTests {
    func testOpenSSLAllocatesFromTheWorkersOwnTLSHeap() throws {
        let proxy = try startTLSProxy()
        // The worker's certificates and contexts are in it from its configuration on.
        let configured = try XCTUnwrap(try proxy.control.metric("holdfast_tls_heap_bytes"))
        XCTAssertGreaterThan(configured, 0)
        let older = try handshake(proxy, maxVersion: "1.2", request: "GET /echo HTTP/1.1\\r\\nHost: localhost\\r\\n\\r\\n")
        XCTAssertTrue(older.answer?.hasPrefix("HTTP/1.1 200") ?? false, older.answer ?? older.error ?? "")
        XCTAssertFalse(proxy.stderrText.contains("shares the process heap"), proxy.stderrText)
    }
}
