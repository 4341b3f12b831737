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

/// Which held-out examples an evaluation is over (the raw values are the store's).
public enum EvaluationSplit: String, Sendable, CaseIterable {
    /// Seen by the policy (`val_kpi`, `val_loss`) and used for model selection.
    case validation
    /// Reported only: evaluated before the first step and after the last.
    case test
}

/// Mean losses and KPIs over one split after `step` steps (step 0: before training).
public struct EvaluationRecord: Sendable, Equatable {
    public let step: Int
    public let loss: [Double]
    public let kpi: [Double]
    public let split: EvaluationSplit

    public init(step: Int, loss: [Double], kpi: [Double], split: EvaluationSplit = .validation) {
        self.step = step
        self.loss = loss
        self.kpi = kpi
        self.split = split
    }
}

public struct RunSummary: Sendable, Equatable {
    public let steps: Int
    /// The last validation evaluation.
    public let finalEvaluation: EvaluationRecord
    /// The test evaluation after the last step; nil without a test split.
    public let finalTestEvaluation: EvaluationRecord?
    public let seconds: Double
    /// Of `seconds`, the time spent in the policy's `weights(for:)`.
    public let policySeconds: Double
}
