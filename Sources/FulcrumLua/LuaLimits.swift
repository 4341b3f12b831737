/// What one policy may use. A policy over a limit fails its run with a message naming the limit.
public struct LuaLimits: Sendable, Equatable {
    /// Bytes the policy's interpreter may hold beyond the libraries (0: unlimited).
    public var memoryBytes: Int
    /// Milliseconds one call (load, init or one step's weights) may take (0: unlimited).
    public var milliseconds: Int

    public init(memoryBytes: Int = 64 << 20, milliseconds: Int = 1000) {
        self.memoryBytes = memoryBytes
        self.milliseconds = milliseconds
    }

    static func describe(bytes: Int) -> String {
        bytes % (1 << 20) == 0 ? "\(bytes >> 20) MiB" : "\(bytes) bytes"
    }
}
