#if os(Linux)
/// glibc's `mallopt` (declared in <malloc.h>, which the Glibc module does not export).
@_silgen_name("mallopt")
private func mallopt(_ parameter: Int32, _ value: Int32) -> Int32
private let M_TRIM_THRESHOLD: Int32 = -1
private let M_MMAP_THRESHOLD: Int32 = -3
#endif

/// Training allocates and frees the same large activation and gradient buffers every step. glibc
/// serves blocks over 128 KiB with fresh `mmap`s, so each step paid page faults and zero-filling for
/// memory it had just returned. Raising the thresholds keeps such blocks in the heap for reuse — what
/// a framework's caching allocator does. Process-wide; the command-line tool calls it once.
public enum AllocatorTuning {
    public static func reuseLargeBlocks() {
        #if os(Linux)
        _ = mallopt(M_MMAP_THRESHOLD, 256 << 20)
        _ = mallopt(M_TRIM_THRESHOLD, 512 << 20)
        #endif
    }
}
