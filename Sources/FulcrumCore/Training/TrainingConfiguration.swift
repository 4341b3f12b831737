/// How a run trains: its length, batches, optimizer, learning-rate schedule, evaluation cadence and seed.
public struct TrainingConfiguration: Sendable, Equatable {
    public var steps: Int
    public var batchSize: Int
    public var optimizer: OptimizerKind
    public var schedule: LearningRateSchedule
    /// Evaluate on the validation split every this many steps (and before the first and after the last).
    public var evaluationInterval: Int
    /// Seeds initialisation, shuffling and dropout.
    public var seed: UInt64

    public init(steps: Int, batchSize: Int, optimizer: OptimizerKind, schedule: LearningRateSchedule,
                evaluationInterval: Int, seed: UInt64) {
        precondition(steps >= 1 && batchSize >= 1 && evaluationInterval >= 1,
                     "TrainingConfiguration: steps, batch size and evaluation interval must be ≥ 1")
        self.steps = steps
        self.batchSize = batchSize
        self.optimizer = optimizer
        self.schedule = schedule
        self.evaluationInterval = evaluationInterval
        self.seed = seed
    }

    /// A constant learning rate.
    public init(steps: Int, batchSize: Int, optimizer: OptimizerKind, learningRate: Float,
                evaluationInterval: Int, seed: UInt64) {
        self.init(steps: steps, batchSize: batchSize, optimizer: optimizer,
                  schedule: LearningRateSchedule(base: Double(learningRate), totalSteps: steps),
                  evaluationInterval: evaluationInterval, seed: seed)
    }
}
