import FulcrumCore
import FulcrumLua

/// An experiment manifest (`experiments/*.yaml`): data, tasks, model, training, seeds, policies, report.
/// `Manifest.load` validates it completely before anything runs.
public struct Manifest: Sendable {
    public let file: String
    /// SHA-256 of the file's bytes: which manifest a run came from.
    public let hash: String
    /// SHA-256 of the sections that define what a run trains (data, tasks, model, train), in a
    /// canonical YAML form: editing seeds, policies, the report or comments leaves it unchanged, so
    /// the runs already finished keep their ids.
    public let definitionHash: String
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
        public let architecture: NetworkSpec.Architecture
        /// Fully connected widths (after the convolutions, if any).
        public let trunk: [Int]
        public let convolutions: [NetworkSpec.ConvolutionBlock]
        /// [height, width, channels] when the inputs are read as images.
        public let image: [Int]?
        public let activation: Activation.Kind
        public let dropout: Float
    }

    public struct TrainSection: Sendable, Equatable {
        public let steps: Int
        public let batchSize: Int
        public let optimizer: OptimizerKind
        public let schedule: LearningRateSchedule
        public let evaluationInterval: Int
    }

    public struct PolicyEntry: Sendable, Equatable {
        public let name: String
        public let script: String
        public let options: [String: PolicyOption]
        /// Memory and per-call time the policy may use (`memory_mb`, `time_ms`).
        public let limits: LuaLimits
    }

    public struct ReportSection: Sendable, Equatable {
        public let baseline: String?
        public let output: String?
    }

    public func trainingConfiguration(seed: UInt64) -> TrainingConfiguration {
        TrainingConfiguration(steps: train.steps, batchSize: train.batchSize, optimizer: train.optimizer,
                              schedule: train.schedule, evaluationInterval: train.evaluationInterval, seed: seed)
    }

    /// The network the manifest describes.
    public var networkSpec: NetworkSpec {
        let input: NetworkSpec.Input = model.image.map { .image(height: $0[0], width: $0[1], channels: $0[2]) }
            ?? .features(data.inputDimension)
        let trunk: NetworkSpec.Trunk = model.convolutions.isEmpty && model.image == nil
            ? .mlp(widths: model.trunk, activation: model.activation, dropout: model.dropout)
            : .cnn(convolutions: model.convolutions, fullyConnected: model.trunk, activation: model.activation, dropout: model.dropout)
        return NetworkSpec(input: input, trunk: trunk, architecture: model.architecture,
                           headOutputs: tasks.map(\.spec.kind.outputCount))
    }
}
