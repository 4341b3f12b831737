/// Any failure of a policy file, turned into one Swift error that says where: which policy, in which
/// phase, at which step, and the Lua `file:line:` message.
public struct LuaPolicyError: Error, Equatable, CustomStringConvertible {
    public enum Phase: Sendable, Equatable {
        case load
        case options
        case initialisation
        case weights(step: Int)
        /// `P:finish`, after the last step.
        case finish
    }

    /// The policy's name, or its file while the file has not loaded.
    public let policy: String
    public let phase: Phase
    /// The message, starting with `file:line:` where Lua knows the place.
    public let message: String
    public let traceback: String?

    public init(policy: String, phase: Phase, message: String, traceback: String? = nil) {
        self.policy = policy
        self.phase = phase
        self.message = message
        self.traceback = traceback
    }

    public var description: String {
        switch phase {
        case .load: "policy \(policy) load: \(message)"
        case .options: "policy \(policy) options: \(message)"
        case .initialisation: "policy \(policy) init: \(message)"
        case let .weights(step): "policy \(policy) step \(step): \(message)"
        case .finish: "policy \(policy) finish: \(message)"
        }
    }
}
