/// A task's key performance indicator κ ∈ [0, 1] (DTP paper §3.1): higher is better, and it need
/// not be differentiable.
public enum TaskKPI: Sendable, Equatable {
    /// Fraction of examples predicted right: argmax for classification, logit > 0 for binary.
    case accuracy
    /// Fraction of predicted numbers within `tolerance` of their targets (regression).
    case withinTolerance(Float)

    public var name: String {
        switch self {
        case .accuracy: "accuracy"
        case let .withinTolerance(tolerance): "within ±\(tolerance)"
        }
    }

    /// κ for a batch of head outputs.
    public func evaluate(_ output: Tensor, _ targets: TaskTargets) -> Double {
        switch (self, targets) {
        case let (.accuracy, .labels(labels)):
            let classes = output.columns
            var correct = 0
            for (row, label) in labels.enumerated() {
                var best = 0
                for c in 1..<classes where output.scalars[row * classes + c] > output.scalars[row * classes + best] { best = c }
                if best == label { correct += 1 }
            }
            return fraction(correct, of: labels.count)
        case let (.accuracy, .values(values)):
            var correct = 0
            for i in 0..<values.count where (output.scalars[i] > 0) == (values.scalars[i] > 0.5) { correct += 1 }
            return fraction(correct, of: values.count)
        case let (.withinTolerance(tolerance), .values(values)):
            var within = 0
            for i in 0..<values.count where abs(output.scalars[i] - values.scalars[i]) <= tolerance { within += 1 }
            return fraction(within, of: values.count)
        case (.withinTolerance, .labels):
            preconditionFailure("TaskKPI within-tolerance needs real-valued targets")
        }
    }

    /// Whether the KPI can judge this kind of task.
    public func isCompatible(with kind: TaskKind) -> Bool {
        switch (self, kind) {
        case (.accuracy, .classification), (.accuracy, .binary), (.withinTolerance, .regression): true
        default: false
        }
    }

    private func fraction(_ count: Int, of total: Int) -> Double {
        total == 0 ? 0 : Double(count) / Double(total)
    }
}
