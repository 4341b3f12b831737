import Foundation
import FulcrumCore
import Synchronization

/// Trains every planned run of a manifest (policy × option point × run definition × seed, and the
/// single-task baselines) into the store. A run that fails — a broken policy, a diverged loss —
/// is recorded with its error and never stops the others. Runs already finished in the store are
/// skipped unless forced; the rest run on `jobs` threads, one run per thread. A policy with
/// `generations` trains in rounds: generation g is planned once every run of generation g − 1 has
/// ended, with what they remembered (`plan`).
///
/// Several processes may run the same manifest on one store: each run is claimed with a lease
/// (`RunStore.claimRun`) before it trains, a run another live process holds is asked for again
/// until it ends, and a run whose holder died is taken over (see `RunLease`).
///
/// Shared across its worker threads: everything here is immutable while workers run except the stop
/// flag (atomic), what the workers coordinate through `RunQueue`'s lock, and the data cache
/// (behind its own lock); the store serialises its own writes. `plannedRuns` changes only between
/// rounds, when no worker runs.
public final class ExperimentRunner: @unchecked Sendable {
    public let manifest: Manifest
    public let store: RunStore
    /// The plan as far as the store's memory resolves it (generation g of a chain appears once
    /// generation g − 1 has ended).
    public private(set) var plannedRuns: [PlannedRun]
    private let observer: (any SweepObserver)?
    private let stopRequested = Atomic(false)
    private let datasets = DatasetCache()
    private let provenance: Provenance
    /// How this process renews its leases and when another's count as expired.
    public var leaseTiming = LeaseTiming()

    public struct Outcome: Sendable, Equatable {
        public let run: PlannedRun
        /// nil when the run finished (now or, if `skipped`, in an earlier `fulcrum run`); otherwise
        /// the message it failed with.
        public let error: String?
        public var skipped = false
        /// How the run ended (nil when skipped).
        public var status: StoredRun.Status? = nil
        /// The process that trained the run instead of this one (then `skipped`).
        public var trainedElsewhere: String? = nil
    }

    public init(manifest: Manifest, store: RunStore, observer: (any SweepObserver)? = nil) {
        self.manifest = manifest
        self.store = store
        self.observer = observer
        provenance = Provenance.current(blasThreads: manifest.threads)
        // A store that cannot be read here fails `run` with its error; until then the first generations stand.
        plannedRuns = (try? Self.plan(manifest, store: store)) ?? (try? Self.plan(manifest, store: nil)) ?? []
    }

    /// The planned runs `selection`'s filters and shard keep, in plan order.
    public func plannedRuns(_ selection: RunSelection) -> [PlannedRun] {
        plannedRuns.filter { selection.shard.contains($0.shardPosition) && selection.matches($0) }
    }

    /// Asks the sweep to stop (Ctrl-C): no new run starts, the runs in flight stop after their
    /// current step and are recorded as interrupted; the next `fulcrum run` trains them again.
    public func requestStop() { stopRequested.store(true, ordering: .relaxed) }

    var isStopRequested: Bool { stopRequested.load(ordering: .relaxed) }

    /// Trains the selected runs; returns an outcome for each, in plan order (round by round when a
    /// policy has generations: each round trains what the memory of the last one made plannable).
    @discardableResult
    public func run(_ selection: RunSelection = RunSelection()) throws -> [Outcome] {
        try store.recordExperiment(manifest)
        plannedRuns = try Self.plan(manifest, store: store)
        try store.retireRuns(of: manifest.name, manifestHash: manifest.hash, keeping: plannedRuns.map(\.id))
        BLASThreads.count = manifest.threads
        let lease = RunLease()
        let heartbeat = LeaseHeartbeat(store: store, owner: lease.owner, every: leaseTiming.heartbeatSeconds)
        defer { heartbeat.stop() }
        var outcomes: [Outcome] = []
        var attempted: Set<String> = []
        while !isStopRequested {
            let round = plannedRuns(selection).filter { !attempted.contains($0.id) }
            if round.isEmpty { break }
            attempted.formUnion(round.map(\.id))
            outcomes += try train(round, selection, lease)
            plannedRuns = try Self.plan(manifest, store: store)
        }
        return outcomes
    }

    /// One round: skips the finished runs of `selected` (unless forced) and trains the rest on the
    /// workers, each run once it is claimed (a run another process holds waits in the queue).
    private func train(_ selected: [PlannedRun], _ selection: RunSelection, _ lease: RunLease) throws -> [Outcome] {
        let statuses = try store.statuses(ofRuns: selected.map(\.id))
        var outcomes: [Int: Outcome] = [:]
        var pending: [Int] = []
        for (index, run) in selected.enumerated() {
            if !selection.force, statuses[run.id] == .finished {
                try store.adoptRun(run.id, manifestHash: manifest.hash)
                outcomes[index] = Outcome(run: run, error: nil, skipped: true)
            } else {
                pending.append(index)
            }
        }
        observer?.sweepStarted(toTrain: pending.count, skipped: selected.indices.filter { outcomes[$0] != nil }.map { selected[$0] })
        guard !pending.isEmpty else {
            observer?.sweepEnded(interrupted: false)
            return selected.indices.compactMap { outcomes[$0] }
        }

        let queue = pending.map { selected[$0] }
        let progress = RunQueue(total: queue.count, pollSeconds: leaseTiming.pollSeconds)
        let workers = (0..<min(max(selection.jobs, 1), queue.count)).map { _ in
            Thread { [self] in
                while let slot = progress.next(stopping: { isStopRequested }) {
                    do {
                        let run = queue[slot]
                        switch try store.claimRun(run.id, lease: lease, force: selection.force, timing: leaseTiming) {
                        case .claimed(let previous):
                            if let previous { notify { $0.runTakenOver(run, from: previous.holder.description) } }
                            progress.record(try execute(run, lease: lease), at: slot)
                        case .held:
                            progress.postpone(slot)
                        case .finished:
                            progress.record(Outcome(run: run, error: nil, skipped: true), at: slot)
                            notify { $0.runTrainedElsewhere(run, by: "an earlier sweep") }
                        case .endedElsewhere(let other):
                            progress.record(Outcome(run: run, error: nil, skipped: true, trainedElsewhere: other.holder.description), at: slot)
                            notify { $0.runTrainedElsewhere(run, by: other.holder.description) }
                        }
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
        defer { observer?.sweepEnded(interrupted: isStopRequested) }
        try progress.waitForWorkers(workers.count)
        for (slot, index) in pending.enumerated() { outcomes[index] = progress.outcome(at: slot) }
        return selected.indices.compactMap { outcomes[$0] }
    }

    /// The data of a run's definition: made once per distinct recipe and shared by the runs; a
    /// single-task baseline gets its task's targets from the data set of every task.
    func data(for run: PlannedRun) throws -> DatasetSplits {
        let definition = run.definition
        let full = try datasets.splits(for: manifest.data, tasks: definition.dataTasks,
                                       seed: manifest.data.dataSeed(forRunSeed: run.seed, of: manifest.seeds))
        guard let position = definition.singleTaskPosition else { return full }
        func select(_ split: MultiTaskDataset) -> MultiTaskDataset { MultiTaskDataset(inputs: split.inputs, targets: [split.targets[position]]) }
        return DatasetSplits(train: select(full.train), validation: select(full.validation), test: full.test.map(select),
                             freshBatches: full.freshBatches?.selecting(tasks: [position]))
    }

    func descriptor(_ run: PlannedRun, options: [String: SettingValue]) throws -> RunDescriptor {
        var descriptor = RunDescriptor(id: run.id, experiment: manifest.name, manifestHash: manifest.hash, policy: run.policy.name,
                                       policyFile: run.policy.script, policyHash: run.policyHash,
                                       optionsJSON: try JSONText.encode(options), seed: run.seed)
        descriptor.definitionHash = run.definition.definitionHash
        descriptor.point = run.point
        descriptor.tasks = run.definition.taskPositions
        descriptor.gitCommit = provenance.gitCommit
        descriptor.machine = provenance.machine
        descriptor.generation = run.policy.remembers ? run.generation : nil
        return descriptor
    }

    func notify(_ body: (any SweepObserver) -> Void) { observer.map(body) }
}

/// Data sets by what defines them, made at most once each even when workers ask together; the
/// Fashion-MNIST images they draw from are read once.
final class DatasetCache: @unchecked Sendable {
    private let lock = NSLock()
    private var splits: [String: DatasetSplits] = [:]
    private var fashionMNIST: [String: (train: LabelledImages, test: LabelledImages)] = [:]

    func splits(for data: Manifest.DataSection, tasks: [Manifest.ManifestTask], seed: UInt64) throws -> DatasetSplits {
        let key = "\(data)|\(seed)|" + tasks.map { "\($0.spec.kind)/\($0.noise)" }.joined(separator: ";")
        return try lock.withLock {
            if let cached = splits[key] { return cached }
            let made = try make(data, tasks, seed: seed)
            splits[key] = made
            return made
        }
    }

    private func make(_ data: Manifest.DataSection, _ tasks: [Manifest.ManifestTask], seed: UInt64) throws -> DatasetSplits {
        switch data.dataset {
        case .fashionScenes:
            let images = try images(at: data.path)
            let targets = tasks.map { task -> FashionScenes.Target in
                switch task.spec.kind {
                case .segmentation: .mask
                case .detection: .box
                case .keypoints: .keypoints
                default: .label
                }
            }
            let recipe = FashionScene.Recipe(canvas: data.canvas, scale: data.scale, clutter: data.clutter, clutterKind: data.clutterKind,
                                             clutterSize: data.clutterSize, labels: data.labels)
            return FashionScenes.make(train: images.train, test: images.test, recipe: recipe, targets: targets, trainCount: data.trainSize,
                                      validationCount: data.validationSize, testCount: data.testSize, seed: seed)
        case .multiFashion:
            let images = try images(at: data.path)
            return MultiFashion.make(train: images.train, test: images.test, canvas: data.canvas, shift: data.shift, trainCount: data.trainSize,
                                     validationCount: data.validationSize, testCount: data.testSize, seed: seed)
        case .gradnormToy:
            return GradNormToy.make(scales: data.scales ?? GradNormToy.standardScales(tasks: tasks.count), trainCount: data.trainSize,
                                    validationCount: data.validationSize, testCount: data.testSize, seed: seed, freshBatches: data.freshBatches)
        case .synthetic:
            return SyntheticMultiTaskData.make(
                tasks: tasks.map { SyntheticTaskRecipe(kind: $0.spec.kind, noise: $0.noise) }, inputDimension: data.inputDimension,
                clusters: data.clusters, trainCount: data.trainSize, validationCount: data.validationSize, seed: seed)
        }
    }

    private func images(at path: String) throws -> (train: LabelledImages, test: LabelledImages) {
        if let loaded = fashionMNIST[path] { return loaded }
        let loaded = try FashionMNIST.load(directory: path)
        fashionMNIST[path] = loaded
        return loaded
    }
}
