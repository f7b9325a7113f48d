#if canImport(Glibc)
import Glibc
#endif

/// Memory hints for big buffers (Linux; elsewhere they do nothing).
///
/// `advise` asks the kernel to back a big, not yet touched buffer with transparent huge pages (2 MB instead
/// of 4 KB): a full scan of an int8 copy then walks 512× fewer pages (fewer TLB misses, which cost most
/// under a hypervisor's nested paging). Only a hint: where THP is off nothing changes.
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

    /// Faults in the pages of a buffer about to be filled, in one call (MADV_POPULATE_WRITE, Linux 5.14+),
    /// instead of one page fault per 4 KB as the fill first touches them. Only a hint.
    public static func prefault(_ buffer: UnsafeMutableRawBufferPointer) {
        #if os(Linux)
        guard buffer.count >= threshold, let base = buffer.baseAddress else { return }
        let page = Int(getpagesize())
        let start = (Int(bitPattern: base) + page - 1) & ~(page - 1)
        let end = (Int(bitPattern: base) + buffer.count) & ~(page - 1)
        guard end > start, let pointer = UnsafeMutableRawPointer(bitPattern: start) else { return }
        _ = madvise(pointer, end - start, 23) // MADV_POPULATE_WRITE (not in every Glibc's headers)
        #endif
    }
}
