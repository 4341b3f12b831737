import Foundation
import FulcrumCore
import FulcrumLua

/// Trains every policy × seed of a manifest into the store. A run that fails — a broken policy, a
/// diverged loss — is recorded with its error and never stops the others.
public final class ExperimentRunner {
    public let manifest: Manifest
    public let store: RunStore
    private let log: (String) -> Void

    /// One run of the manifest: a policy with one seed.
    public struct PlannedRun: Sendable, Equatable {
        public let id: String
        public let policy: Manifest.PolicyEntry
        public let seed: UInt64
    }

    public struct Outcome: Sendable, Equatable {
        public let run: PlannedRun
        /// nil when the run finished; otherwise the message it failed with.
        public let error: String?
    }

    public init(manifest: Manifest, store: RunStore, log: @escaping (String) -> Void = { _ in }) {
        self.manifest = manifest
        self.store = store
        self.log = log
    }

    /// Policies in manifest order, each over all seeds. The id is stable: the same manifest, policy
    /// and seed give the same id, so a rerun replaces the run instead of adding a copy.
    public var plannedRuns: [PlannedRun] {
        manifest.policies.flatMap { policy in
            manifest.seeds.map { seed in
                PlannedRun(id: String(SHA256.hexDigest("\(manifest.name)\n\(manifest.hash)\n\(policy.name)\n\(seed)").prefix(16)),
                           policy: policy, seed: seed)
            }
        }
    }

    @discardableResult
    public func run() throws -> [Outcome] {
        try store.recordExperiment(manifest)
        BLASThreads.count = 1
        let data = makeData()
        let runs = plannedRuns
        var outcomes: [Outcome] = []
        for (index, run) in runs.enumerated() {
            let started = ContinuousClock.now
            let error = try train(run, data: data)
            let seconds = (ContinuousClock.now - started).seconds
            if let error {
                try store.failRun(run.id, error: error, wallSeconds: seconds)
                log("[\(index + 1)/\(runs.count)] \(run.policy.name) seed \(run.seed) (run \(run.id)): FAILED — \(error)")
            } else {
                try store.finishRun(run.id, wallSeconds: seconds)
                log("[\(index + 1)/\(runs.count)] \(run.policy.name) seed \(run.seed) (run \(run.id)): finished in \(String(format: "%.1f", seconds)) s")
            }
            outcomes.append(Outcome(run: run, error: error))
        }
        return outcomes
    }

    /// Trains one run; returns its failure message, or nil. Store errors propagate: without the
    /// store nothing can be recorded, so the sweep stops.
    private func train(_ run: PlannedRun, data: DatasetSplits) throws -> String? {
        let policyBytes = FileManager.default.contents(atPath: run.policy.script) ?? Data()
        let policy: LuaPolicy
        do {
            policy = try LuaPolicy(file: run.policy.script, options: run.policy.options, limits: run.policy.limits)
        } catch {
            try store.beginRun(descriptor(run, policyHash: SHA256.hexDigest(policyBytes), options: run.policy.options))
            return String(describing: error)
        }
        try store.beginRun(descriptor(run, policyHash: SHA256.hexDigest(policyBytes), options: policy.options))

        var generator = SeededGenerator.stream(run.seed, 1)
        let model = MultiTaskNetwork(manifest.networkSpec, generator: &generator)
        let writer = StoreWriter(store: store, runID: run.id)
        let trainer = Trainer(model: model, tasks: manifest.tasks.map(\.spec), data: data,
                              configuration: manifest.trainingConfiguration(seed: run.seed), policy: policy, hooks: [writer])
        do {
            try trainer.run()
            return nil
        } catch {
            try writer.flush()
            return String(describing: error)
        }
    }

    private func descriptor(_ run: PlannedRun, policyHash: String, options: [String: PolicyOption]) throws -> RunDescriptor {
        RunDescriptor(id: run.id, experiment: manifest.name, manifestHash: manifest.hash, policy: run.policy.name,
                      policyFile: run.policy.script, policyHash: policyHash,
                      optionsJSON: try JSONText.encode(options), seed: run.seed)
    }

    /// The data every run of the manifest shares, generated from `data.seed`.
    private func makeData() -> DatasetSplits {
        SyntheticMultiTaskData.make(
            tasks: manifest.tasks.map { SyntheticTaskRecipe(kind: $0.spec.kind, noise: $0.noise) },
            inputDimension: manifest.data.inputDimension, clusters: manifest.data.clusters,
            trainCount: manifest.data.trainSize, validationCount: manifest.data.validationSize, seed: manifest.data.seed)
    }
}

extension PolicyOption: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case let .number(value): try container.encode(value)
        case let .boolean(value): try container.encode(value)
        case let .string(value): try container.encode(value)
        case let .list(values): try container.encode(values)
        }
    }
}
