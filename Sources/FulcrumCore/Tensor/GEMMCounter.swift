/// Counts the floating-point operations of the matrix products (2·m·n·k each), so a benchmark can
/// report achieved GFLOP/s of what really ran. Not synchronised: read it from single-threaded code.
public enum GEMMCounter {
    nonisolated(unsafe) public static var operations: Int = 0
}
