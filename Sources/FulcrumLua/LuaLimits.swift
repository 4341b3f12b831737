/// What one policy may use. A policy over a limit fails its run with a message naming the limit.
public struct LuaLimits: Sendable, Equatable {
    /// Bytes the policy's interpreter may hold beyond the libraries (0: unlimited).
    public var memoryBytes: Int

    public init(memoryBytes: Int = 64 << 20) {
        self.memoryBytes = memoryBytes
    }

    static func describe(bytes: Int) -> String {
        bytes % (1 << 20) == 0 ? "\(bytes >> 20) MiB" : "\(bytes) bytes"
    }
}
