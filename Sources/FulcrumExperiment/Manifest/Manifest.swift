import FulcrumCore
import FulcrumLua

/// An experiment manifest (`experiments/*.yaml`): data, tasks, model, training, seeds, policies, report.
/// `Manifest.load` validates it completely before anything runs.
public struct Manifest: Sendable {
    public let file: String
    /// SHA-256 of the file's bytes: which manifest a run came from.
    public let hash: String
    public internal(set) var name: String
    public let description: String
    public internal(set) var data: DataSection
    /// What the runs train: one definition per point of the sweep over tasks, model and train keys
    /// (just one, with an empty point, without such a sweep).
    public internal(set) var definitions: [RunDefinition]
    /// `baselines: single_task`: one single-task definition per task (shared by the definitions that
    /// differ only in ways a single task cannot see, such as the task order); empty otherwise.
    public internal(set) var baselineDefinitions: [RunDefinition]
    /// The definitions of the policies with `overrides`, by policy name (see `definitionsTrained(by:)`).
    var overriddenDefinitions: [String: [RunDefinition]]
    public internal(set) var seeds: [UInt64]
    /// In manifest order.
    public internal(set) var policies: [PolicyEntry]
    public internal(set) var report: ReportSection

    /// The tasks' names, kinds and KPIs are the same in every definition (a sweep may change a
    /// task's loss, not what it is); the first definition's tasks stand for all of them.
    public var tasks: [ManifestTask] { definitions[0].tasks }
    /// OpenBLAS threads per run: `train.threads` cannot be swept, so every definition has the same.
    public var threads: Int { definitions[0].train.threads }
    /// The steps of the longest run, policy overrides included (the experiment's step count in the store).
    public var longestSteps: Int {
        (definitions + overriddenDefinitions.values.joined()).map(\.train.steps).max() ?? 0
    }

    /// The sections of a manifest without a definition sweep (its only definition); with a sweep,
    /// read `definitions`.
    public var model: ModelSection { definitions[0].model }
    public var train: TrainSection { definitions[0].train }
    public var definitionHash: String { definitions[0].definitionHash }

    /// What `policy`'s runs train: `definitions` with the policy's `overrides` set on top of each
    /// point (the same points, so its report rows line up with the other policies').
    public func definitionsTrained(by policy: PolicyEntry) -> [RunDefinition] { overriddenDefinitions[policy.name] ?? definitions }

    /// Everything a run trains apart from the policy and the seed.
    public struct RunDefinition: Sendable, Equatable {
        /// The settings of the sweep over tasks, model and train keys that make this definition.
        public internal(set) var point: [SweepSetting]
        /// A single-task baseline: the position of its one task among `dataTasks`; nil for a
        /// definition of every task.
        public let singleTaskPosition: Int?
        /// The tasks trained: every task, or the single-task baseline's one.
        public let tasks: [ManifestTask]
        /// The tasks the data set makes targets for: every task at this point, so that a single-task
        /// baseline trains on exactly the examples its multi-task runs see.
        public internal(set) var dataTasks: [ManifestTask]
        public let model: ModelSection
        public internal(set) var train: TrainSection
        /// SHA-256 of the canonical YAML of data/tasks/model/train with the point substituted:
        /// editing seeds, policies, the report or comments leaves it unchanged, so the runs
        /// already finished keep their ids.
        public internal(set) var definitionHash: String
    }

    public struct DataSection: Sendable, Equatable {
        public let dataset: Dataset
        /// Numbers per example: `input_dim` for the synthetic data, canvas² for the image sets, 250 for the toy.
        public let inputDimension: Int
        public let clusters: Int
        public internal(set) var trainSize: Int
        public internal(set) var validationSize: Int
        /// Examples in the test split (none for the synthetic data).
        public internal(set) var testSize: Int
        public let seed: UInt64
        /// `seed: [a, b, …]`: the data seeds the runs cycle through — the i-th seed of the manifest's
        /// `seeds` trains on data seed i mod n — so the comparison is replicated over data sets as
        /// well as over initialisations, and runs with the same seed still share their data.
        /// Empty: every run uses `seed`.
        public var seeds: [UInt64] = []
        /// Side of the image sets' canvas.
        public var canvas = 0
        /// Fashion scenes: the item's scale range and clutter patches.
        public var scale: ClosedRange<Double> = 0.6...1.0
        public var clutter = 0
        public var clutterKind = FashionScene.ClutterKind.items
        public var clutterSize = 8
        public var labels = FashionScene.Labels.fine
        /// MultiFashion: how far each item may move towards the centre.
        public var shift = 0
        /// The GradNorm toy's σ_t, one per task (nil: its standard scales for the task count).
        public var scales: [Double]? = nil
        /// The GradNorm toy's `fresh_batches`: draw a new training batch at every step (from the data
        /// seed, the run's seed and the step) instead of sampling a fixed training set.
        public var freshBatches = false
        /// Where the Fashion-MNIST files are.
        public var path = FashionMNIST.defaultDirectory
    }

    /// The data sets a manifest can name (`data.dataset`).
    public enum Dataset: String, Sendable, CaseIterable {
        case synthetic
        case fashionScenes = "fashion_scenes"
        case multiFashion = "multi_fashion"
        case gradnormToy = "gradnorm_toy"

        /// The keys the data set reads, beyond `dataset`, `train_size`, `val_size` and `seed`.
        var keys: [String] {
            switch self {
            case .synthetic: ["input_dim", "clusters"]
            case .fashionScenes: ["test_size", "canvas", "scale", "clutter", "clutter_kind", "clutter_size", "labels", "path"]
            case .multiFashion: ["test_size", "canvas", "shift", "path"]
            case .gradnormToy: ["test_size", "scales", "fresh_batches"]
            }
        }
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
        /// `epochs`, when the length was given so (`steps` counts their batches); nil for `steps`.
        public let epochs: Int?
        public let batchSize: Int
        public let optimizer: OptimizerKind
        public let schedule: LearningRateSchedule
        public let evaluationInterval: Int
        /// OpenBLAS threads of each run (`threads`, default 1: parallel runs use the cores).
        public let threads: Int
        /// Per-step series are stored every this many steps (and at the first and last step).
        public let recordEvery: Int
    }

    public struct PolicyEntry: Sendable, Equatable {
        public internal(set) var name: String
        public let script: String
        public let options: [String: SettingValue]
        /// Memory and per-call time the policy may use (`memory_mb`, `time_ms`).
        public let limits: LuaLimits
        /// SHA-256 of the policy file when the manifest was read (part of each run's id; "" for the
        /// single-task baselines, which have no file).
        public var scriptHash = ""
        /// The options the file declares, with their defaults: the inner policies a combinator
        /// (`ema.lua`, `stack.lua`) loads when the manifest names none, which its runs' ids cover.
        public var defaults: [String: SettingValue] = [:]
        /// The points of the sweep over this policy's options (`[[]]` without one); each run
        /// takes `options` with one point's settings on top.
        public var optionPoints: [[SweepSetting]] = [[]]
        /// `overrides`: definition keys (those a sweep takes) set for this policy's runs only, in
        /// manifest order; they change its runs' definition hash, not their sweep point.
        public var overrides: [SweepSetting] = []
        /// `generations`: the policy's runs are trained this many times in sequence, generation g
        /// seeing what generation g − 1 and those before it remembered (only for `memory = true`).
        public var generations = 1
        /// The file declares `memory = true`: its runs see `ctx.memory`, and their ids cover it.
        public var remembers = false

        /// `options` with the settings of `point` (from `optionPoints`) applied.
        public func options(at point: [SweepSetting]) -> [String: SettingValue] {
            point.reduce(into: options) { options, setting in
                if case let .policyOption(_, option) = setting.key { options[option] = setting.value }
            }
        }
    }

    public struct ReportSection: Sendable, Equatable {
        public let baseline: String?
        public let output: String?
        /// `difficulty`: the order of task difficulty the Findings check; nil: not checked.
        public var difficulty: DifficultyExpectation? = nil
    }

    /// The network of a manifest without a definition sweep.
    public var networkSpec: NetworkSpec { definitions[0].networkSpec(data: data) }
}

extension Manifest.RunDefinition {
    public func trainingConfiguration(seed: UInt64) -> TrainingConfiguration {
        TrainingConfiguration(steps: train.steps, batchSize: train.batchSize, optimizer: train.optimizer,
                              schedule: train.schedule, evaluationInterval: train.evaluationInterval, seed: seed)
    }

    /// The network this definition describes.
    public func networkSpec(data: Manifest.DataSection) -> NetworkSpec {
        let input: NetworkSpec.Input = model.image.map { .image(height: $0[0], width: $0[1], channels: $0[2]) }
            ?? .features(data.inputDimension)
        let trunk: NetworkSpec.Trunk = model.convolutions.isEmpty && model.image == nil
            ? .mlp(widths: model.trunk, activation: model.activation, dropout: model.dropout)
            : .cnn(convolutions: model.convolutions, fullyConnected: model.trunk, activation: model.activation, dropout: model.dropout)
        return NetworkSpec(input: input, trunk: trunk, architecture: model.architecture,
                           headOutputs: tasks.map(\.spec.kind.outputCount))
    }

    /// The experiment's task positions the runs train, as the store records them (nil: all).
    public var taskPositions: [Int]? { singleTaskPosition.map { [$0] } }

    /// How reports and logs name the definition: its sweep settings, and the task of a single-task baseline.
    public var label: String {
        let task = singleTaskPosition == nil ? [] : ["task=\(tasks.map(\.spec.name).joined(separator: ","))"]
        return (task + point.map(\.description)).joined(separator: " ")
    }
}

extension Manifest.DataSection {
    /// The data seed of a run whose seed is `runSeed`: `seeds` cycled over the manifest's `seeds` in
    /// their order (an unknown seed — a run picked by hand — takes its value mod n), else `seed`.
    public func dataSeed(forRunSeed runSeed: UInt64, of manifestSeeds: [UInt64]) -> UInt64 {
        guard !seeds.isEmpty else { return seed }
        let index = manifestSeeds.firstIndex(of: runSeed) ?? Int(runSeed % UInt64(seeds.count))
        return seeds[index % seeds.count]
    }
}
