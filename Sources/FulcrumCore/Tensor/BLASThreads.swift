import CBLAS

/// The number of threads OpenBLAS uses for matrix products. Small products run fastest on one
/// thread, and parallel runs of a sweep should not compete for cores, so runs set 1.
public enum BLASThreads {
    public static var count: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(max(newValue, 1))) }
    }
}
