/// What one task predicts, with which loss, judged by which KPI.
public struct TaskSpec: Sendable, Equatable {
    public let name: String
    public let kind: TaskKind
    public let loss: TaskLoss
    public let kpi: TaskKPI

    public init(name: String, kind: TaskKind, loss: TaskLoss, kpi: TaskKPI) {
        precondition(loss.isCompatible(with: kind), "TaskSpec \(name): loss \(loss.name) does not fit a \(kind.name) task")
        self.name = name
        self.kind = kind
        self.loss = loss
        self.kpi = kpi
    }
}

/// The shape of a task's prediction.
public enum TaskKind: Sendable, Equatable {
    /// One of `classes` labels; the head emits one logit per class.
    case classification(classes: Int)
    /// A 0/1 label; the head emits one logit.
    case binary
    /// `outputs` real numbers.
    case regression(outputs: Int)
    /// The item's mask on a `height` × `width` canvas: one logit per pixel, row-major; the targets
    /// are 0/1 per pixel.
    case segmentation(height: Int, width: Int)
    /// The item's box (x₀, y₀, x₁, y₁), coordinates divided by the canvas size (so in [0, 1]).
    case detection
    /// `count` points (x₁, y₁, x₂, y₂, …), normalised like detection's coordinates.
    case keypoints(count: Int)

    public var name: String {
        switch self {
        case .classification: "classification"
        case .binary: "binary"
        case .regression: "regression"
        case .segmentation: "segmentation"
        case .detection: "detection"
        case .keypoints: "keypoints"
        }
    }

    /// Width of the task's head.
    public var outputCount: Int {
        switch self {
        case let .classification(classes): classes
        case .binary: 1
        case let .regression(outputs): outputs
        case let .segmentation(height, width): height * width
        case .detection: 4
        case let .keypoints(count): 2 * count
        }
    }
}

/// A task's ground truth for a set of examples.
public enum TaskTargets: Sendable, Equatable {
    /// Class indices, one per example.
    case labels([Int])
    /// Real-valued targets [examples, outputs]: 0/1 for binary tasks and per pixel for segmentation,
    /// normalised coordinates for detection and keypoints.
    case values(Tensor)

    public var count: Int {
        switch self {
        case let .labels(labels): labels.count
        case let .values(values): values.shape[0]
        }
    }

    /// The targets of examples `indices`, in that order.
    public func gathering(_ indices: [Int]) -> TaskTargets {
        switch self {
        case let .labels(labels): .labels(indices.map { labels[$0] })
        case let .values(values): .values(values.gatheringRows(indices))
        }
    }
}
