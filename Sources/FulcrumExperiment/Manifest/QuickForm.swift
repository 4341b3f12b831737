import FulcrumCore

/// `fulcrum run --quick`: a small form of a manifest, for CI and smoke tests. A typed transform of
/// the parsed manifest (found valid first): its rules are those of experiments/README.md, "Quick
/// form", and every value they give is valid by construction (fewer steps never fall below a
/// warm-up that is clamped to a quarter of them, a batch never exceeds the split it is clamped to).
struct QuickForm {
    static let maximumSteps = 20
    static let maximumTrainSize = 512
    static let maximumEvaluationSize = 256
    static let sweepValues = 2
    /// Part of every quick definition's hash: changing a rule above should change the quick run ids.
    static let rules = "quick form: steps ≤ \(maximumSteps), train ≤ \(maximumTrainSize), evaluation ≤ \(maximumEvaluationSize), \(sweepValues) values"

    /// The quick split sizes.
    private let data: Manifest.DataSection
    /// The fewest steps any run of the quick form trains: the warm-up, the step schedule and the
    /// evaluation cadence are clamped to fit every run.
    private var fewestSteps = maximumSteps

    static func apply(to manifest: Manifest) -> Manifest {
        var data = manifest.data
        data.trainSize = min(data.trainSize, maximumTrainSize)
        data.validationSize = min(data.validationSize, maximumEvaluationSize)
        data.testSize = min(data.testSize, maximumEvaluationSize)
        var form = QuickForm(data: data)
        let every = manifest.definitions + manifest.baselineDefinitions + manifest.overriddenDefinitions.values.flatMap { $0 }
        form.fewestSteps = every.map { form.steps(of: $0.train) }.min() ?? maximumSteps

        var quick = manifest
        // A separate experiment in the store, whose report never overwrites the real one.
        quick.name = manifest.name + "-quick"
        quick.report = Manifest.ReportSection(baseline: manifest.report.baseline, output: nil, difficulty: manifest.report.difficulty)
        quick.seeds = Array(manifest.seeds.prefix(1))
        quick.data = data

        let clamped = manifest.definitions.map(form.clamp)
        let kept = keptValues(clamped.map(\.point))
        let chosen = firstOfEach(clamped.indices.filter { isKept(clamped[$0].point, kept) }) { clamped[$0].point }
        quick.definitions = chosen.map { clamped[$0] }
        quick.overriddenDefinitions = manifest.overriddenDefinitions.mapValues { definitions in chosen.map { form.clamp(definitions[$0]) } }
        let baselines = manifest.baselineDefinitions.map(form.clamp).filter { isKept($0.point, kept) }
        quick.baselineDefinitions = firstOfEach(baselines) { BaselineIdentity(point: $0.point, task: $0.singleTaskPosition) }

        quick.policies = manifest.policies.map { policy in
            var policy = policy
            // Two generations show that a chain works; more only cost time.
            policy.generations = min(policy.generations, 2)
            let options = keptValues(policy.optionPoints)
            policy.optionPoints = policy.optionPoints.filter { isKept($0, options) }
            if let overridden = quick.overriddenDefinitions[policy.name]?.first {
                policy.overrides = policy.overrides.map { form.clamp($0, train: overridden.train) }
            }
            return policy
        }
        return quick
    }

    private init(data: Manifest.DataSection) { self.data = data }

    /// The quick steps of `train`: `epochs` count whole batches of the quick split.
    private func steps(of train: Manifest.TrainSection) -> Int {
        let batch = min(train.batchSize, data.trainSize)
        return min(train.epochs.map { $0 * max(data.trainSize / batch, 1) } ?? train.steps, Self.maximumSteps)
    }

    /// `definition` with its train section clamped, its point's train settings read back from it,
    /// and a hash of its own.
    private func clamp(_ definition: Manifest.RunDefinition) -> Manifest.RunDefinition {
        var quick = definition
        quick.train = clamp(definition.train)
        quick.point = definition.point.map { clamp($0, train: quick.train) }
        quick.definitionHash = SHA256.hexDigest(Self.rules + " of " + definition.definitionHash)
        return quick
    }

    private func clamp(_ train: Manifest.TrainSection) -> Manifest.TrainSection {
        let steps = steps(of: train)
        let schedule = train.schedule
        var decay = schedule.decay
        if case let .step(every, factor) = decay { decay = .step(every: min(every, max(fewestSteps / 2, 1)), factor: factor) }
        return Manifest.TrainSection(
            steps: steps, epochs: nil, batchSize: min(train.batchSize, data.trainSize), optimizer: train.optimizer,
            schedule: LearningRateSchedule(base: schedule.base, warmupSteps: min(schedule.warmupSteps, fewestSteps / 4), decay: decay, totalSteps: steps),
            evaluationInterval: min(train.evaluationInterval, fewestSteps), threads: train.threads, recordEvery: 1)
    }

    /// A sweep setting or override of a clamped train key, as `train` (its definition, clamped) has
    /// it; `train.epochs` becomes `train.steps`. Other settings are kept.
    private func clamp(_ setting: SweepSetting, train: Manifest.TrainSection) -> SweepSetting {
        let value: (String, Int)? = switch setting.path {
        case "train.steps", "train.epochs": ("train.steps", train.steps)
        case "train.batch_size": (setting.path, train.batchSize)
        case "train.eval_every": (setting.path, train.evaluationInterval)
        case "train.warmup_steps": (setting.path, train.schedule.warmupSteps)
        case "train.record_every": (setting.path, train.recordEvery)
        case "train.step_every":
            if case let .step(every, _) = train.schedule.decay { (setting.path, every) } else { nil }
        default: nil
        }
        return value.map { SweepSetting(path: $0.0, value: .number(Double($0.1))) } ?? setting
    }

    /// Each swept key's first `sweepValues` distinct values, in the order the points give them.
    private static func keptValues(_ points: [[SweepSetting]]) -> [SweepKey: [SettingValue]] {
        var kept: [SweepKey: [SettingValue]] = [:]
        for setting in points.joined() where !(kept[setting.key] ?? []).contains(setting.value) {
            kept[setting.key, default: []].append(setting.value)
        }
        return kept.mapValues { Array($0.prefix(sweepValues)) }
    }

    private static func isKept(_ point: [SweepSetting], _ kept: [SweepKey: [SettingValue]]) -> Bool {
        point.allSatisfy { kept[$0.key]?.contains($0.value) ?? true }
    }

    /// A single-task baseline's quick point and task: baselines that clamping made equal are one.
    private struct BaselineIdentity: Hashable {
        let point: [SweepSetting]
        let task: Int?
    }

    /// The first item of each identity, in order: quick points that clamping made equal are one run.
    private static func firstOfEach<Item, Identity: Hashable>(_ items: [Item], _ identity: (Item) -> Identity) -> [Item] {
        var seen: Set<Identity> = []
        return items.filter { seen.insert(identity($0)).inserted }
    }
}
