import CLibevent

/// Gives whole free pages of the heap back to the kernel (glibc `malloc_trim`).
public func releaseFreeMemory() {
    _ = malloc_trim(0)
}

/// Serves blocks of `bytes` and more by their own `mmap`, handed back whole when freed, instead of
/// from the heap. For TLS handshakes: each one borrows OpenSSL's 16 KB record and handshake buffers
/// for a moment, and held clients' small blocks, carved from the holes those leave, would otherwise
/// pin the pages of many such buffers (docs/architecture.md, "TLS").
public func mapBlocksSeparately(from bytes: Int) {
    _ = mallopt(M_MMAP_THRESHOLD, Int32(bytes))
}

/// The bytes of the heap block holding `object` (glibc `malloc_usable_size`): what it really costs.
public func heapBlockBytes(of object: AnyObject) -> Int {
    malloc_usable_size(Unmanaged.passUnretained(object).toOpaque())
}
