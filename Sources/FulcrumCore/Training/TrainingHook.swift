/// An observer of a training run: the store writer and the progress display are hooks.
/// A hook that throws fails the run.
public protocol TrainingHook: AnyObject {
    func runStarted(_ context: PolicyContext) throws
    /// Before the update, with the signals the policy is about to see.
    func stepWillUpdate(_ signals: StepSignals) throws
    /// After the update, with what was applied.
    func stepDidUpdate(_ record: StepRecord) throws
    func evaluated(_ evaluation: EvaluationRecord) throws
    func runFinished(_ summary: RunSummary) throws
}

extension TrainingHook {
    public func runStarted(_ context: PolicyContext) throws {}
    public func stepWillUpdate(_ signals: StepSignals) throws {}
    public func stepDidUpdate(_ record: StepRecord) throws {}
    public func evaluated(_ evaluation: EvaluationRecord) throws {}
    public func runFinished(_ summary: RunSummary) throws {}
}

/// One training step as it happened.
public struct StepRecord: Sendable, Equatable {
    public let step: Int
    public let epoch: Int
    public let loss: [Double]
    public let kpi: [Double]
    public let weights: TaskWeights
    public let signals: StepSignals
    /// What the policy logged and printed at this step.
    public let output: PolicyOutput

    public init(step: Int, epoch: Int, loss: [Double], kpi: [Double], weights: TaskWeights, signals: StepSignals,
                output: PolicyOutput = PolicyOutput()) {
        self.output = output
        self.step = step
        self.epoch = epoch
        self.loss = loss
        self.kpi = kpi
        self.weights = weights
        self.signals = signals
    }
}

/// Validation-split losses and KPIs after `step` steps (step 0: before training).
public struct EvaluationRecord: Sendable, Equatable {
    public let step: Int
    public let loss: [Double]
    public let kpi: [Double]

    public init(step: Int, loss: [Double], kpi: [Double]) {
        self.step = step
        self.loss = loss
        self.kpi = kpi
    }
}

public struct RunSummary: Sendable, Equatable {
    public let steps: Int
    public let finalEvaluation: EvaluationRecord
    public let seconds: Double
    /// Of `seconds`, the time spent in the policy's `weights(for:)`.
    public let policySeconds: Double
}
