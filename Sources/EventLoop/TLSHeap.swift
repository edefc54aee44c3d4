import CTLSHeap

/// Makes OpenSSL allocate from a heap of its own (`CTLSHeap`): a handshake's hundreds of passing
/// blocks then leave no holes in the process heap for held clients' blocks to pin. Only for a
/// process that calls OpenSSL from one thread, before its first OpenSSL call; false when too late.
public func giveOpenSSLItsOwnHeap() -> Bool {
    holdfast_tls_heap_install() == 1
}

/// What OpenSSL's own heap has mapped: its slabs (empty ones until `releaseFreeMemory`) and large blocks.
public func openSSLHeapBytes() -> Int {
    holdfast_tls_heap_mapped_bytes()
}
