import Foundation
import FulcrumCore
import FulcrumLua

/// Trains every policy × seed of a manifest into the store. A run that fails — a broken policy, a
/// diverged loss — is recorded with its error and never stops the others. Runs already finished in
/// the store are skipped unless forced; the rest run on `jobs` threads, one run per thread.
///
/// Shared across its worker threads: everything here is immutable after `init` except what the
/// workers coordinate through `SweepProgress`'s lock, and the store serialises its own writes.
public final class ExperimentRunner: @unchecked Sendable {
    public let manifest: Manifest
    public let store: RunStore
    /// Policies in manifest order, each over all seeds.
    public let plannedRuns: [PlannedRun]
    private let log: @Sendable (String) -> Void

    /// One run of the manifest: a policy with one seed.
    public struct PlannedRun: Sendable, Equatable {
        public let id: String
        public let policy: Manifest.PolicyEntry
        public let seed: UInt64
        /// SHA-256 of the policy file's contents when the plan was made.
        public let policyHash: String

        /// How the progress display and the logs name the run, e.g. "dtp seed 2".
        public var label: String { "\(policy.name) seed \(seed)" }
    }

    public struct Outcome: Sendable, Equatable {
        public let run: PlannedRun
        /// nil when the run finished (now or, if `skipped`, in an earlier `fulcrum run`); otherwise
        /// the message it failed with.
        public let error: String?
        public var skipped = false
    }

    public init(manifest: Manifest, store: RunStore, log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.manifest = manifest
        self.store = store
        self.log = log
        plannedRuns = manifest.policies.flatMap { policy in
            let script = FileManager.default.contents(atPath: policy.script).map(SHA256.hexDigest) ?? "unreadable"
            return manifest.seeds.map { seed in
                PlannedRun(id: Self.runID(manifest, policy, scriptHash: script, seed), policy: policy, seed: seed, policyHash: script)
            }
        }
    }

    /// Stable and content-addressed: a hash of everything that defines the run — the experiment's
    /// name, its data/tasks/model/train sections, the policy's name, file contents, options and
    /// limits, and the seed. Editing anything else (another policy, the seed list, the report)
    /// keeps the id, so a rerun skips the run; editing the policy file or its options changes it.
    static func runID(_ manifest: Manifest, _ policy: Manifest.PolicyEntry, scriptHash script: String, _ seed: UInt64) -> String {
        let options = policy.options.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ";")
        let parts = [manifest.name, manifest.definitionHash, policy.name, script, options,
                     "\(policy.limits.memoryBytes)/\(policy.limits.milliseconds)", "\(seed)"]
        return String(SHA256.hexDigest(parts.joined(separator: "\n")).prefix(16))
    }

    /// The planned runs `selection`'s filters keep, in plan order.
    public func plannedRuns(_ selection: RunSelection) -> [PlannedRun] {
        plannedRuns.filter { selection.matches(policy: $0.policy.name, seed: $0.seed) }
    }

    /// Trains the selected runs; returns an outcome for each, in plan order.
    @discardableResult
    public func run(_ selection: RunSelection = RunSelection()) throws -> [Outcome] {
        try store.recordExperiment(manifest)
        try store.retireRuns(of: manifest.name, manifestHash: manifest.hash, keeping: plannedRuns.map(\.id))
        BLASThreads.count = 1
        let selected = plannedRuns(selection)
        let statuses = try store.statuses(ofRuns: selected.map(\.id))
        var outcomes: [Int: Outcome] = [:]
        var pending: [Int] = []
        for (index, run) in selected.enumerated() {
            if !selection.force, statuses[run.id] == .finished {
                try store.adoptRun(run.id, manifestHash: manifest.hash)
                outcomes[index] = Outcome(run: run, error: nil, skipped: true)
                log("\(run.policy.name) seed \(run.seed) (run \(run.id)): finished earlier, skipped (--force reruns it)")
            } else {
                pending.append(index)
            }
        }
        guard !pending.isEmpty else { return selected.indices.compactMap { outcomes[$0] } }

        let data = makeData()
        let queue = pending.map { selected[$0] }
        let progress = SweepProgress(total: queue.count)
        let workers = (0..<min(max(selection.jobs, 1), queue.count)).map { _ in
            Thread { [self] in
                while let slot = progress.next() {
                    do {
                        progress.record(try execute(queue[slot], data: data, progress: progress), at: slot)
                    } catch {
                        progress.stop(error)
                    }
                }
                progress.workerDone()
            }
        }
        for worker in workers {
            worker.stackSize = 16 << 20   // the autodiff graph of a deep model recurses
            worker.start()
        }
        try progress.waitForWorkers(workers.count)
        for (slot, index) in pending.enumerated() { outcomes[index] = progress.outcome(at: slot) }
        return selected.indices.compactMap { outcomes[$0] }
    }

    private func execute(_ run: PlannedRun, data: DatasetSplits, progress: SweepProgress) throws -> Outcome {
        let started = ContinuousClock.now
        let error = try train(run, data: data)
        let seconds = (ContinuousClock.now - started).seconds
        let done = progress.completed()
        if let error {
            try store.endRun(run.id, RunEnding(status: .failed, error: error, wallSeconds: seconds))
            log("[\(done)/\(progress.total)] \(run.policy.name) seed \(run.seed) (run \(run.id)): FAILED — \(error)")
        } else {
            try store.endRun(run.id, RunEnding(status: .finished, wallSeconds: seconds))
            log("[\(done)/\(progress.total)] \(run.policy.name) seed \(run.seed) (run \(run.id)): finished in \(String(format: "%.1f", seconds)) s")
        }
        return Outcome(run: run, error: error)
    }

    /// Trains one run; returns its failure message, or nil. Store errors propagate: without the
    /// store nothing can be recorded, so the sweep stops.
    private func train(_ run: PlannedRun, data: DatasetSplits) throws -> String? {
        let policy: LuaPolicy
        do {
            policy = try LuaPolicy(file: run.policy.script, options: run.policy.options, limits: run.policy.limits)
        } catch {
            try store.beginRun(descriptor(run, options: run.policy.options))
            return String(describing: error)
        }
        try store.beginRun(descriptor(run, options: policy.options))

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

    private func descriptor(_ run: PlannedRun, options: [String: PolicyOption]) throws -> RunDescriptor {
        RunDescriptor(id: run.id, experiment: manifest.name, manifestHash: manifest.hash, policy: run.policy.name,
                      policyFile: run.policy.script, policyHash: run.policyHash,
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
