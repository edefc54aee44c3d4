import CLibevent
import CTLSHeap

/// Gives whole free pages of the heap back to the kernel (glibc `malloc_trim`), and OpenSSL's empty slabs.
public func releaseFreeMemory() {
    _ = malloc_trim(0)
    holdfast_tls_heap_trim()
}

/// The bytes of the heap block holding `object` (glibc `malloc_usable_size`): what it really costs.
public func heapBlockBytes(of object: AnyObject) -> Int {
    malloc_usable_size(Unmanaged.passUnretained(object).toOpaque())
}
