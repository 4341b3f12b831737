/// Inputs [examples, features] with one set of targets per task, aligned by example.
public struct MultiTaskDataset: Sendable, Equatable {
    public let inputs: Tensor
    public let targets: [TaskTargets]

    public init(inputs: Tensor, targets: [TaskTargets]) {
        precondition(inputs.rank == 2, "MultiTaskDataset: inputs of shape \(inputs.shape), expected [examples, features]")
        for (task, taskTargets) in targets.enumerated() {
            precondition(taskTargets.count == inputs.rows,
                         "MultiTaskDataset: task \(task) has \(taskTargets.count) targets for \(inputs.rows) examples")
        }
        self.inputs = inputs
        self.targets = targets
    }

    public var count: Int { inputs.rows }
    public var featureCount: Int { inputs.columns }

    /// Examples `indices`, in that order (a mini-batch).
    public func subset(_ indices: [Int]) -> MultiTaskDataset {
        MultiTaskDataset(inputs: inputs.gatheringRows(indices), targets: targets.map { $0.gathering(indices) })
    }
}

/// The examples a run trains on and the held-out ones it is evaluated on.
public struct DatasetSplits: Sendable, Equatable {
    public let train: MultiTaskDataset
    public let validation: MultiTaskDataset
    /// Held out from training and model selection; reported at the end (nil for the synthetic data).
    public let test: MultiTaskDataset?

    public init(train: MultiTaskDataset, validation: MultiTaskDataset, test: MultiTaskDataset? = nil) {
        self.train = train
        self.validation = validation
        self.test = test
    }
}
