import FulcrumCore
import FulcrumLua

/// An experiment manifest (`experiments/*.yaml`): data, tasks, model, training, seeds, policies, report.
/// `Manifest.load` validates it completely before anything runs.
public struct Manifest: Sendable {
    public let file: String
    /// SHA-256 of the file's bytes: which manifest a run came from.
    public let hash: String
    public let name: String
    public let description: String
    public let data: DataSection
    public let tasks: [ManifestTask]
    public let model: ModelSection
    public let train: TrainSection
    public let seeds: [UInt64]
    /// In manifest order.
    public let policies: [PolicyEntry]
    public let report: ReportSection

    public struct DataSection: Sendable, Equatable {
        public let dataset: String
        public let inputDimension: Int
        public let clusters: Int
        public let trainSize: Int
        public let validationSize: Int
        public let seed: UInt64
    }

    public struct ManifestTask: Sendable, Equatable {
        public let spec: TaskSpec
        /// The synthetic dataset's label noise for this task.
        public let noise: Double
    }

    public struct ModelSection: Sendable, Equatable {
        public let architecture: String
        public let trunk: [Int]
        public let activation: Activation.Kind
    }

    public struct TrainSection: Sendable, Equatable {
        public let steps: Int
        public let batchSize: Int
        public let optimizer: OptimizerKind
        public let learningRate: Double
        public let evaluationInterval: Int
    }

    public struct PolicyEntry: Sendable, Equatable {
        public let name: String
        public let script: String
        public let options: [String: PolicyOption]
    }

    public struct ReportSection: Sendable, Equatable {
        public let baseline: String?
        public let output: String?
    }

    public func trainingConfiguration(seed: UInt64) -> TrainingConfiguration {
        TrainingConfiguration(steps: train.steps, batchSize: train.batchSize, optimizer: train.optimizer,
                              learningRate: Float(train.learningRate), evaluationInterval: train.evaluationInterval,
                              seed: seed)
    }
}
