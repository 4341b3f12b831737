/// The per-task training losses.
public enum TaskLoss: Sendable, Equatable {
    case softmaxCrossEntropy
    case binaryCrossEntropy
    case meanSquaredError
    case l1
    case smoothL1(beta: Float)
    /// FL(p; γ₀) on the softmax of a classification head (DTP paper Eq. 3); γ₀ = 0 is the cross-entropy.
    case focal(gamma0: Float)
    /// The focal loss of a binary head.
    case binaryFocal(gamma0: Float)

    /// Manifest names of the base losses; `gamma0` on a task turns a cross-entropy into its focal form.
    public static let names = ["softmax_cross_entropy", "binary_cross_entropy", "mse", "l1", "smooth_l1"]

    public var name: String {
        switch self {
        case .softmaxCrossEntropy: "softmax_cross_entropy"
        case .binaryCrossEntropy: "binary_cross_entropy"
        case .meanSquaredError: "mse"
        case .l1: "l1"
        case .smoothL1: "smooth_l1"
        case let .focal(gamma0): "focal(γ₀=\(gamma0))"
        case let .binaryFocal(gamma0): "binary_focal(γ₀=\(gamma0))"
        }
    }

    public func isCompatible(with kind: TaskKind) -> Bool {
        switch (self, kind) {
        case (.softmaxCrossEntropy, .classification), (.focal, .classification): true
        case (.binaryCrossEntropy, .binary), (.binaryFocal, .binary): true
        // Per pixel, mean over pixels and examples: the binary losses already average every element.
        case (.binaryCrossEntropy, .segmentation), (.binaryFocal, .segmentation): true
        case (.meanSquaredError, .regression), (.l1, .regression), (.smoothL1, .regression): true
        case (.meanSquaredError, .detection), (.l1, .detection), (.smoothL1, .detection): true
        case (.meanSquaredError, .keypoints), (.l1, .keypoints), (.smoothL1, .keypoints): true
        default: false
        }
    }

    /// The natural loss of each kind of task.
    public static func standard(for kind: TaskKind) -> TaskLoss {
        switch kind {
        case .classification: .softmaxCrossEntropy
        case .binary, .segmentation: .binaryCrossEntropy
        case .regression: .meanSquaredError
        case .detection, .keypoints: .smoothL1(beta: defaultSmoothL1Beta(for: kind))
        }
    }

    /// β of smooth-L1 when the manifest sets none. Regression keeps Fast R-CNN's β = 1.
    ///
    /// Box and keypoint coordinates are fractions of the canvas, so every error is below 1 and with
    /// β = 1 smooth-L1 would be ½d², half the MSE: the L1 part, which keeps far-off predictions from
    /// dominating, would never act. β = 0.05 of the canvas (about a pixel on a 28-pixel canvas) puts
    /// the switch below the errors the KPIs accept on items a third to half of the canvas wide
    /// (PCK@0.1: 0.03–0.05; box IoU ≥ 0.5: a shift of about a third of the box): errors the KPI
    /// still rejects pull with a constant gradient, errors it accepts are refined quadratically.
    public static func defaultSmoothL1Beta(for kind: TaskKind) -> Float {
        switch kind {
        case .detection, .keypoints: 0.05
        default: 1
        }
    }

    /// The scalar loss of a head's output against the targets (mean over the batch).
    public func callAsFunction(_ output: Variable, _ targets: TaskTargets) -> Variable {
        switch (self, targets) {
        case let (.softmaxCrossEntropy, .labels(labels)): FulcrumCore.softmaxCrossEntropy(output, labels: labels)
        case let (.focal(gamma0), .labels(labels)): focalLoss(output, labels: labels, gamma0: gamma0)
        case let (.binaryCrossEntropy, .values(values)): binaryCrossEntropyWithLogits(output, targets: values)
        case let (.binaryFocal(gamma0), .values(values)): binaryFocalLoss(output, targets: values, gamma0: gamma0)
        case let (.meanSquaredError, .values(values)): FulcrumCore.meanSquaredError(output, targets: values)
        case let (.l1, .values(values)): l1Loss(output, targets: values)
        case let (.smoothL1(beta), .values(values)): smoothL1Loss(output, targets: values, beta: beta)
        default: preconditionFailure("TaskLoss \(name): targets of the wrong form")
        }
    }
}
