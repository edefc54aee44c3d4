import CLibevent

/// Gives whole free pages of the heap back to the kernel (glibc `malloc_trim`).
public func releaseFreeMemory() {
    _ = malloc_trim(0)
}
