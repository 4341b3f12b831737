/// Why a run stopped early.
public enum TrainingError: Error, Equatable, CustomStringConvertible {
    case diverged(step: Int, task: String, loss: Double)
    case invalidWeights(policy: String, step: Int, reason: String)

    public var description: String {
        switch self {
        case let .diverged(step, task, loss):
            "diverged at step \(step): loss of task \(task) is \(loss)"
        case let .invalidWeights(policy, step, reason):
            "policy \(policy) step \(step): \(reason)"
        }
    }
}
