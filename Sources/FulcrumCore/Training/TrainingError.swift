/// Why a run stopped early.
public enum TrainingError: Error, Equatable, CustomStringConvertible {
    case diverged(step: Int, task: String, loss: Double)
    case invalidWeights(policy: String, step: Int, reason: String)
    /// The policy needs a signal the run's data cannot give (val_align without validation examples).
    case unavailableSignal(policy: String, signal: String, reason: String)

    public var description: String {
        switch self {
        case let .diverged(step, task, loss):
            "diverged at step \(step): loss of task \(task) is \(loss)"
        case let .invalidWeights(policy, step, reason):
            "policy \(policy) step \(step): \(reason)"
        case let .unavailableSignal(policy, signal, reason):
            "policy \(policy) needs \(signal): \(reason)"
        }
    }
}
