import CBLAS

/// The number of threads OpenBLAS uses for matrix products. Small products run fastest on one
/// thread, and parallel runs of a sweep should not compete for cores, so runs set 1.
public enum BLASThreads {
    public static var count: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(max(newValue, 1))) }
    }

    /// The kernel set OpenBLAS chose for this CPU ("Zen", "SkylakeX", "Prescott"): which one runs
    /// decides the order of a product's additions, so the last digits of the numbers depend on it.
    public static var coreName: String {
        openblas_get_corename().map { String(cString: $0) } ?? "unknown"
    }

    /// The library's build ("OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Zen MAX_THREADS=64"); its first two words.
    public static var version: String {
        guard let config = openblas_get_config() else { return "OpenBLAS" }
        return String(cString: config).split(separator: " ").prefix(2).joined(separator: " ")
    }
}
