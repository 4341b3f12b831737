import Foundation

/// Trains a multi-task model, asking a weighting policy for the task weights at every step.
///
/// Per step: forward the batch, compute each task's loss L_t and KPI κ_t, hand the signals the policy
/// needs to the policy, check its answer, back-propagate Σ w_t L_t (or the split shared/heads form),
/// and update. Evaluates on the validation split before the first step, every `evaluationInterval`
/// steps, and after the last.
public final class Trainer {
    public let model: any MultiTaskModel
    public let tasks: [TaskSpec]
    public let data: DatasetSplits
    public let configuration: TrainingConfiguration
    public let policy: any WeightingPolicy
    public let hooks: [any TrainingHook]

    /// Signals this trainer can compute today; gradient signals come with per-task gradients.
    public static let availableSignals: Set<PolicySignal> = [.kpi, .validationKPI, .validationLoss]

    public init(model: any MultiTaskModel, tasks: [TaskSpec], data: DatasetSplits,
                configuration: TrainingConfiguration, policy: any WeightingPolicy, hooks: [any TrainingHook] = []) {
        precondition(model.taskCount == tasks.count, "Trainer: model has \(model.taskCount) heads for \(tasks.count) tasks")
        precondition(data.train.targets.count == tasks.count, "Trainer: data has targets for \(data.train.targets.count) tasks, expected \(tasks.count)")
        self.model = model
        self.tasks = tasks
        self.data = data
        self.configuration = configuration
        self.policy = policy
        self.hooks = hooks
    }

    @discardableResult
    public func run() throws -> RunSummary {
        let clock = ContinuousClock.now
        let config = configuration
        if let missing = policy.needs.subtracting(Self.availableSignals).sorted().first {
            throw TrainingError.signalUnavailable(policy: policy.name, signal: missing)
        }
        var sampler = EpochSampler(count: data.train.count, batchSize: config.batchSize,
                                   generator: .stream(config.seed, 2))
        let optimizer = config.optimizer.make(parameters: model.parameters)
        let context = PolicyContext(tasks: tasks.map(\.name), taskKinds: tasks.map(\.kind.name),
                                    totalSteps: config.steps, stepsPerEpoch: sampler.stepsPerEpoch, seed: config.seed)
        try policy.start(context)
        for hook in hooks { try hook.runStarted(context) }

        var latestEvaluation = try evaluate(afterStep: 0)
        var initialLoss: [Double] = []
        var previousWeights = [Double](repeating: 1, count: tasks.count)

        for step in 1...config.steps {
            let batch = data.train.subset(sampler.nextBatch())
            let outputs = model(Variable(batch.inputs))
            let losses = tasks.indices.map { tasks[$0].loss(outputs[$0], batch.targets[$0]) }
            let lossValues = losses.map { Double($0.value.scalar) }
            if let bad = lossValues.firstIndex(where: { !$0.isFinite }) {
                throw TrainingError.diverged(step: step, task: tasks[bad].name, loss: lossValues[bad])
            }
            if initialLoss.isEmpty { initialLoss = lossValues }
            let kpis = tasks.indices.map { tasks[$0].kpi.evaluate(outputs[$0].value, batch.targets[$0]) }

            var signals = StepSignals(
                tasks: context.tasks, step: step, epoch: (step - 1) / sampler.stepsPerEpoch + 1,
                progress: Double(step - 1) / Double(config.steps), learningRate: Double(config.learningRate),
                loss: lossValues, initialLoss: initialLoss, weights: previousWeights)
            if policy.needs.contains(.kpi) { signals.kpi = kpis }
            if policy.needs.contains(.validationKPI) { signals.validationKPI = latestEvaluation.kpi }
            if policy.needs.contains(.validationLoss) { signals.validationLoss = latestEvaluation.loss }
            for hook in hooks { try hook.stepWillUpdate(signals) }

            let weights = try policy.weights(for: signals)
            try validate(weights, step: step)
            optimizer.zeroGradients()
            backpropagate(losses, weights)
            optimizer.step(learningRate: config.learningRate)
            previousWeights = weights.shared

            let record = StepRecord(step: step, epoch: signals.epoch, loss: lossValues, kpi: kpis,
                                    weights: weights, signals: signals)
            for hook in hooks { try hook.stepDidUpdate(record) }
            if step % config.evaluationInterval == 0 || step == config.steps {
                latestEvaluation = try evaluate(afterStep: step)
            }
        }
        let elapsed = ContinuousClock.now - clock
        let summary = RunSummary(steps: config.steps, finalEvaluation: latestEvaluation,
                                 seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
        for hook in hooks { try hook.runFinished(summary) }
        return summary
    }

    /// Gradients of Σ w_t L_t. When the shared and head weights differ, the heads take their
    /// gradients from Σ h_t L_t and the shared parameters from Σ w_t L_t: two backward passes.
    private func backpropagate(_ losses: [Variable], _ weights: TaskWeights) {
        weightedSum(losses, weights.heads).backward()
        guard !weights.isUniformAcrossParameters else { return }
        let headGradients = model.headParameters.map { $0.map(\.grad) }
        for parameter in model.parameters { parameter.grad = nil }
        weightedSum(losses, weights.shared).backward()
        for (head, gradients) in zip(model.headParameters, headGradients) {
            for (parameter, gradient) in zip(head, gradients) { parameter.grad = gradient }
        }
    }

    private func weightedSum(_ losses: [Variable], _ weights: [Double]) -> Variable {
        zip(losses, weights).map { Float($1) * $0 }.dropFirst().reduce(Float(weights[0]) * losses[0], +)
    }

    private func validate(_ weights: TaskWeights, step: Int) throws {
        for (form, values) in [("weights", weights.shared), ("head weights", weights.heads)] {
            guard values.count == tasks.count else {
                throw TrainingError.invalidWeights(policy: policy.name, step: step,
                                                   reason: "\(values.count) \(form) for \(tasks.count) tasks")
            }
            if let bad = values.firstIndex(where: { !$0.isFinite || $0 < 0 }) {
                throw TrainingError.invalidWeights(policy: policy.name, step: step,
                                                   reason: "\(form)[\(bad + 1)] = \(values[bad]), expected a finite number ≥ 0")
            }
        }
    }

    /// Mean loss and KPI per task over the whole validation split, in chunks.
    private func evaluate(afterStep step: Int) throws -> EvaluationRecord {
        let validation = data.validation
        let chunk = 1024
        var lossTotals = [Double](repeating: 0, count: tasks.count)
        var kpiTotals = lossTotals
        for start in stride(from: 0, to: validation.count, by: chunk) {
            let indices = Array(start..<min(start + chunk, validation.count))
            let batch = validation.subset(indices)
            let outputs = model(Variable(batch.inputs))
            for t in tasks.indices {
                lossTotals[t] += Double(tasks[t].loss(outputs[t], batch.targets[t]).value.scalar) * Double(indices.count)
                kpiTotals[t] += tasks[t].kpi.evaluate(outputs[t].value, batch.targets[t]) * Double(indices.count)
            }
        }
        let n = Double(max(validation.count, 1))
        let record = EvaluationRecord(step: step, loss: lossTotals.map { $0 / n }, kpi: kpiTotals.map { $0 / n })
        for hook in hooks { try hook.evaluated(record) }
        return record
    }
}
