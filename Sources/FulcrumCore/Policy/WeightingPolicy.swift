/// The contract between the trainer and a task-weighting policy. The Lua host implements it for
/// policy files; Swift implementations serve tests and benchmarks.
public protocol WeightingPolicy: AnyObject {
    var name: String { get }
    /// Signals beyond the losses that the policy reads; the trainer computes only these.
    var needs: Set<PolicySignal> { get }
    /// Where `grad_norm` is measured, when the policy needs it.
    var gradientNormScope: GradientNormScope { get }
    /// `val_align` is measured at steps 1, 1 + k, 1 + 2k, … for this k, when the policy needs it.
    var validationAlignmentInterval: Int { get }
    /// How `grad_ema_gram` averages the gradients, when the policy needs it.
    var gradientHistory: GradientHistorySettings { get }
    /// Called once, before the first step.
    func start(_ context: PolicyContext) throws
    /// Called every step, before the update; the answer decides the update.
    func weights(for signals: StepSignals) throws -> TaskWeights
    /// The custom series and printed lines since the last call (after `start` and every step).
    func takeOutput() throws -> PolicyOutput
}

extension WeightingPolicy {
    public var gradientNormScope: GradientNormScope { .sharedParameters }
    public var validationAlignmentInterval: Int { 1 }
    public var gradientHistory: GradientHistorySettings { GradientHistorySettings() }
    public func takeOutput() throws -> PolicyOutput { PolicyOutput() }
}

/// What a policy logged since it was last asked: custom series (`log(name, value)`) and printed lines.
public struct PolicyOutput: Sendable, Equatable {
    public var logs: [PolicyLog] = []
    public var lines: [String] = []

    public init(logs: [PolicyLog] = [], lines: [String] = []) {
        self.logs = logs
        self.lines = lines
    }

    public var isEmpty: Bool { logs.isEmpty && lines.isEmpty }
}

public struct PolicyLog: Sendable, Equatable {
    public let name: String
    public let value: Double

    public init(name: String, value: Double) {
        self.name = name
        self.value = value
    }
}

/// Where a policy's `grad_norm` is measured.
public enum GradientNormScope: String, Sendable, CaseIterable {
    /// Over all shared parameters.
    case sharedParameters = "shared"
    /// Over the trunk's last layer only (GradNorm's W): cheap, one layer's backward pass per task.
    case lastSharedLayer = "last_shared_layer"
}

/// Signals a policy may ask for in `needs`, by their names in the policy API.
public enum PolicySignal: String, Sendable, CaseIterable, Comparable {
    case kpi
    case validationKPI = "val_kpi"
    case validationLoss = "val_loss"
    case gradientNorm = "grad_norm"
    case gram
    case representationGram = "rep_gram"
    case exampleLoss = "example_loss"
    case validationAlignment = "val_align"
    case gradientEMAGram = "grad_ema_gram"
    case adagradNorm = "adagrad_norm2"
    case predictionGain = "prediction_gain"

    public static func < (a: PolicySignal, b: PolicySignal) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// What a policy knows about its run before the first step.
public struct PolicyContext: Sendable, Equatable {
    public let tasks: [String]
    public let taskKinds: [String]
    public let totalSteps: Int
    public let stepsPerEpoch: Int
    public let seed: UInt64

    public init(tasks: [String], taskKinds: [String], totalSteps: Int, stepsPerEpoch: Int, seed: UInt64) {
        self.tasks = tasks
        self.taskKinds = taskKinds
        self.totalSteps = totalSteps
        self.stepsPerEpoch = stepsPerEpoch
        self.seed = seed
    }
}

/// The policy's answer: `shared[t]` scales task t's gradient on the shared parameters and
/// `heads[t]` on its head. The plain form — the loss Σ w_t L_t — has both equal.
///
/// `examples[t]`, when given, weighs the examples of task t's batch: its loss becomes
/// (1/B) Σ_i examples[t][i] ℓ_ti instead of the batch mean (instance-level methods); nil for a task
/// (or for all) keeps the plain mean.
public struct TaskWeights: Sendable, Equatable {
    public let shared: [Double]
    public let heads: [Double]
    public var examples: [[Double]?]?

    public init(_ weights: [Double], examples: [[Double]?]? = nil) { self.init(shared: weights, heads: weights, examples: examples) }

    public init(shared: [Double], heads: [Double], examples: [[Double]?]? = nil) {
        self.shared = shared
        self.heads = heads
        self.examples = examples
    }

    /// The plain form: one weight per task on the shared parameters and the heads alike (Σ w_t L_t).
    public var weightsTheLosses: Bool { shared == heads }
}
