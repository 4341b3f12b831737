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
    /// When set, every training step draws a new batch from it instead of sampling `train`, whose
    /// size then only sets the length of an epoch (the GradNorm toy's `fresh_batches`).
    public let freshBatches: FreshBatches?

    public init(train: MultiTaskDataset, validation: MultiTaskDataset, test: MultiTaskDataset? = nil, freshBatches: FreshBatches? = nil) {
        self.train = train
        self.validation = validation
        self.test = test
        self.freshBatches = freshBatches
    }
}

/// Training batches drawn anew at every step, from a generator rather than a fixed training set.
/// `draw(runSeed, step, count)` must depend on nothing else (beyond the data set's own seed), so that a
/// run is reproducible and the runs of different policies with the same seed train on the same batches.
public struct FreshBatches: Sendable, Equatable {
    /// Names the generator and its data seed: two sources with the same name draw the same batches.
    public let source: String
    public let draw: @Sendable (_ runSeed: UInt64, _ step: Int, _ count: Int) -> MultiTaskDataset

    public init(source: String, draw: @escaping @Sendable (_ runSeed: UInt64, _ step: Int, _ count: Int) -> MultiTaskDataset) {
        self.source = source
        self.draw = draw
    }

    /// The same batches with the targets of the tasks at `positions` only (a single-task baseline).
    public func selecting(tasks positions: [Int]) -> FreshBatches {
        FreshBatches(source: "\(source) tasks \(positions)") { [draw] runSeed, step, count in
            let batch = draw(runSeed, step, count)
            return MultiTaskDataset(inputs: batch.inputs, targets: positions.map { batch.targets[$0] })
        }
    }

    public static func == (lhs: FreshBatches, rhs: FreshBatches) -> Bool { lhs.source == rhs.source }
}
