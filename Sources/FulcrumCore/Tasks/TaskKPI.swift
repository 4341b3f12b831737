/// A task's key performance indicator κ ∈ [0, 1] (DTP paper §3.1): higher is better, and it need
/// not be differentiable.
public enum TaskKPI: Sendable, Equatable {
    /// Fraction of examples predicted right: argmax for classification, logit > 0 for binary (and
    /// per pixel for segmentation: pixel accuracy).
    case accuracy
    /// Fraction of predicted numbers within `tolerance` of their targets (regression, and the single
    /// coordinates of detection and keypoints).
    case withinTolerance(Float)
    /// Segmentation: the mean over examples of |P ∩ T| / |P ∪ T|, P = {logit > 0}, T = {target > 0.5}.
    case maskIoU
    /// Segmentation: the fraction of examples whose mask IoU is ≥ `threshold` — a hit rate, as the
    /// DTP paper's segmentation AP50 is (an instance counts when its mask overlaps with IoU ≥ 0.5).
    case maskHitRate(threshold: Double)
    /// Detection: the fraction of examples whose predicted box overlaps the target with IoU ≥ `threshold`.
    case boxIoU(threshold: Double)
    /// Keypoints: the fraction of points predicted within `tolerance` × the size of the example's
    /// target extent (Percentage of Correct Keypoints).
    case pck(tolerance: Double)

    public var name: String {
        switch self {
        case .accuracy: "accuracy"
        case let .withinTolerance(tolerance): "within ±\(tolerance)"
        case .maskIoU: "mask IoU"
        case let .maskHitRate(threshold): "mask IoU ≥ \(threshold)"
        case let .boxIoU(threshold): "box IoU ≥ \(threshold)"
        case let .pck(tolerance): "PCK@\(tolerance)"
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
        case let (.maskIoU, .values(values)):
            return SpatialKPI.meanMaskIoU(output, values)
        case let (.maskHitRate(threshold), .values(values)):
            return SpatialKPI.maskHitRate(output, values, threshold: threshold)
        case let (.boxIoU(threshold), .values(values)):
            return SpatialKPI.boxHitRate(output, values, threshold: threshold)
        case let (.pck(tolerance), .values(values)):
            return SpatialKPI.percentageOfCorrectKeypoints(output, values, tolerance: tolerance)
        case (.withinTolerance, .labels), (.maskIoU, .labels), (.maskHitRate, .labels), (.boxIoU, .labels), (.pck, .labels):
            preconditionFailure("TaskKPI \(name) needs real-valued targets")
        }
    }

    /// Whether the KPI can judge this kind of task.
    public func isCompatible(with kind: TaskKind) -> Bool {
        switch (self, kind) {
        case (.accuracy, .classification), (.accuracy, .binary), (.withinTolerance, .regression): true
        case (.maskIoU, .segmentation), (.maskHitRate, .segmentation), (.accuracy, .segmentation): true
        case (.boxIoU, .detection), (.withinTolerance, .detection): true
        case (.pck, .keypoints), (.withinTolerance, .keypoints): true
        default: false
        }
    }

    private func fraction(_ count: Int, of total: Int) -> Double {
        total == 0 ? 0 : Double(count) / Double(total)
    }
}
