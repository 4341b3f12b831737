/// Why a run stopped early.
public enum TrainingError: Error, Equatable, CustomStringConvertible {
    case diverged(step: Int, task: String, loss: Double)
    case invalidWeights(policy: String, step: Int, reason: String)
    case signalUnavailable(policy: String, signal: PolicySignal)

    public var description: String {
        switch self {
        case let .diverged(step, task, loss):
            "diverged at step \(step): loss of task \(task) is \(loss)"
        case let .invalidWeights(policy, step, reason):
            "policy \(policy) step \(step): \(reason)"
        case let .signalUnavailable(policy, signal):
            "policy \(policy) needs '\(signal.rawValue)', which this trainer does not compute yet (available: kpi, val_kpi, val_loss)"
        }
    }
}
