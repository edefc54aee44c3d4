import CLibevent

/// Gives whole free pages of the heap back to the kernel (glibc `malloc_trim`).
public func releaseFreeMemory() {
    _ = malloc_trim(0)
}

/// The bytes of the heap block holding `object` (glibc `malloc_usable_size`): what it really costs.
public func heapBlockBytes(of object: AnyObject) -> Int {
    malloc_usable_size(Unmanaged.passUnretained(object).toOpaque())
}
