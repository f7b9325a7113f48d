import CBLAS

/// OpenBLAS's own thread pool, sized once at start-up so BLAS threads and Swift tasks share the cores
/// instead of oversubscribing them.
public enum BLASThreads {
    public static func configure(_ count: Int) {
        openblas_set_num_threads(Int32(max(1, count)))
    }

    public static var current: Int { Int(openblas_get_num_threads()) }
}
