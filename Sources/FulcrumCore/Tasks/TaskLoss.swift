/// The per-task training losses, by their manifest names.
public enum TaskLoss: String, Sendable, CaseIterable {
    case softmaxCrossEntropy = "softmax_cross_entropy"
    case binaryCrossEntropy = "binary_cross_entropy"
    case meanSquaredError = "mse"

    public func isCompatible(with kind: TaskKind) -> Bool {
        switch (self, kind) {
        case (.softmaxCrossEntropy, .classification), (.binaryCrossEntropy, .binary), (.meanSquaredError, .regression): true
        default: false
        }
    }

    /// The natural loss of each kind of task.
    public static func standard(for kind: TaskKind) -> TaskLoss {
        switch kind {
        case .classification: .softmaxCrossEntropy
        case .binary: .binaryCrossEntropy
        case .regression: .meanSquaredError
        }
    }

    /// The scalar loss of a head's output against the targets (mean over the batch).
    public func callAsFunction(_ output: Variable, _ targets: TaskTargets) -> Variable {
        switch (self, targets) {
        case let (.softmaxCrossEntropy, .labels(labels)): FulcrumCore.softmaxCrossEntropy(output, labels: labels)
        case let (.binaryCrossEntropy, .values(values)): FulcrumCore.binaryCrossEntropyWithLogits(output, targets: values)
        case let (.meanSquaredError, .values(values)): FulcrumCore.meanSquaredError(output, targets: values)
        default: preconditionFailure("TaskLoss \(rawValue): targets of the wrong form")
        }
    }
}
