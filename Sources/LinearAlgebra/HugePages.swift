#if canImport(Glibc)
import Glibc
#endif

/// Asks the kernel to back a big, not yet touched buffer with transparent huge pages (2 MB instead of 4 KB):
/// a scan of the int8 copy or the float matrix then walks 512× fewer pages (fewer TLB misses, which cost
/// most under a hypervisor's nested paging), and filling it takes one page fault per 2 MB, not per 4 KB.
/// Only a hint: where THP is off (or not Linux) nothing changes.
public enum HugePages {
    /// Buffers smaller than this are left alone (a huge page would mostly sit empty).
    public static let threshold = 4 << 20

    public static func advise(_ buffer: UnsafeMutableRawBufferPointer) {
        #if os(Linux)
        guard buffer.count >= threshold, let base = buffer.baseAddress else { return }
        let page = 2 << 20
        // Only whole huge pages inside the buffer: the advice covers page-aligned ranges.
        let start = (Int(bitPattern: base) + page - 1) & ~(page - 1)
        let end = (Int(bitPattern: base) + buffer.count) & ~(page - 1)
        guard end > start, let pointer = UnsafeMutableRawPointer(bitPattern: start) else { return }
        _ = madvise(pointer, end - start, MADV_HUGEPAGE)
        #endif
    }
}
