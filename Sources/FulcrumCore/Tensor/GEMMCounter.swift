import Synchronization

/// Counts the floating-point operations of the matrix products (2·m·n·k each), so a benchmark can
/// report achieved GFLOP/s of what really ran. Atomic, because parallel runs of a sweep multiply
/// matrices on several threads at once (a relaxed add is noise beside a GEMM).
public enum GEMMCounter {
    private static let counter = Atomic<Int>(0)

    public static var operations: Int { counter.load(ordering: .relaxed) }

    static func add(_ operations: Int) { counter.wrappingAdd(operations, ordering: .relaxed) }
}
