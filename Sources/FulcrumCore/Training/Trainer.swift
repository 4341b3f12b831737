import Foundation

/// Trains a multi-task model, asking a weighting policy for the task weights at every step.
///
/// Per step: take a batch (the next of a seeded shuffle of the training split, or a fresh draw when the
/// data has `freshBatches`), forward it, compute each task's loss L_t and KPI κ_t and the gradient signals the
/// policy needs (see `TaskGradients`), hand them to the policy, check its answer, set the gradient
/// Σ_t w_t ∇L_t on the shared parameters and h_t ∇L_t on each head, and update. Evaluates on the validation split before the first step, every `evaluationInterval`
/// steps, and after the last; on the test split (when there is one) before the first step and after
/// the last only — the step-0 test losses are the denominators of Σ_t L_t/L_t(0). Only validation
/// evaluations reach the policy: test data never influences training.
public final class Trainer {
    public let model: any MultiTaskModel
    public let tasks: [TaskSpec]
    public let data: DatasetSplits
    public let configuration: TrainingConfiguration
    public let policy: any WeightingPolicy
    public let hooks: [any TrainingHook]

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
        var sampler = EpochSampler(count: data.train.count, batchSize: config.batchSize,
                                   generator: .stream(config.seed, 2))
        let optimizer = config.optimizer.make(parameters: model.parameters)
        let context = PolicyContext(tasks: tasks.map(\.name), taskKinds: tasks.map(\.kind.name),
                                    totalSteps: config.steps, stepsPerEpoch: sampler.stepsPerEpoch, seed: config.seed)
        try policy.start(context)
        let startOutput = try policy.takeOutput()  // what init logged and printed: recorded with step 1
        for hook in hooks { try hook.runStarted(context) }

        var latestEvaluation = try evaluate(afterStep: 0)
        try evaluateTest(afterStep: 0)
        var initialLoss: [Double] = []
        var previousWeights = [Double](repeating: 1, count: tasks.count)
        let pass = ForwardPass(isTraining: true, generator: .stream(config.seed, 3))
        var policyTime = Duration.zero
        var validationBatches = try validationSampler()
        var history = GradientHistory(settings: policy.gradientHistory)
        var gainOfLastStep: [Double]?

        for step in 1...config.steps {
            let batch = data.freshBatches.map { $0.draw(config.seed, step, config.batchSize) } ?? data.train.subset(sampler.nextBatch())
            let representations = model.representations(Variable(batch.inputs), pass)
            let cuts = representations.map { Variable($0.value, requiresGrad: true) }
            let outputs = model.outputs(cuts, pass)
            let losses = tasks.indices.map { tasks[$0].loss(outputs[$0], batch.targets[$0]) }
            let lossValues = losses.map { Double($0.value.scalar) }
            if let bad = lossValues.firstIndex(where: { !$0.isFinite }) {
                throw TrainingError.diverged(step: step, task: tasks[bad].name, loss: lossValues[bad])
            }
            if initialLoss.isEmpty { initialLoss = lossValues }
            let kpis = tasks.indices.map { tasks[$0].kpi.evaluate(outputs[$0].value, batch.targets[$0]) }
            var gradients = TaskGradients(model: model, representations: representations, cuts: cuts, losses: losses)

            let learningRate = config.schedule.rate(atStep: step)
            var signals = StepSignals(
                tasks: context.tasks, step: step, epoch: (step - 1) / sampler.stepsPerEpoch + 1,
                progress: Double(step - 1) / Double(config.steps), learningRate: learningRate,
                loss: lossValues, initialLoss: initialLoss, weights: previousWeights)
            let needs = policy.needs
            if needs.contains(.kpi) { signals.kpi = kpis }
            if needs.contains(.validationKPI) { signals.validationKPI = latestEvaluation.kpi }
            if needs.contains(.validationLoss) { signals.validationLoss = latestEvaluation.loss }
            if needs.contains(.gram) { signals.gram = gradients.gram() }
            if needs.contains(.gradientNorm) { signals.gradientNorm = gradients.gradientNorms(policy.gradientNormScope) }
            if needs.contains(.representationGram) { signals.representationGram = gradients.representationGram() }
            if needs.contains(.exampleLoss) {
                signals.exampleLoss = tasks.indices.map { tasks[$0].loss.exampleLosses(outputs[$0].value, batch.targets[$0]) }
            }
            if needs.contains(.predictionGain) { signals.predictionGain = gainOfLastStep }
            if needs.contains(.gradientEMAGram) {
                signals.gradientEMAGram = history.averagedGram(gradients.perTaskSharedGradients(), losses: lossValues)
            }
            if needs.contains(.adagradNorm) { signals.adagradNorm = history.adagradNorms(gradients.perTaskSharedGradients()) }
            if needs.contains(.validationAlignment), (step - 1) % max(policy.validationAlignmentInterval, 1) == 0,
               let indices = validationBatches?.nextBatch() {
                signals.validationAlignment = gradients.alignment(with: validationGradient(data.validation.subset(indices)))
            }
            for hook in hooks { try hook.stepWillUpdate(signals) }

            let asked = ContinuousClock.now
            let weights = try policy.weights(for: signals)
            policyTime += ContinuousClock.now - asked
            var output = try policy.takeOutput()
            if step == 1 { output = PolicyOutput(logs: startOutput.logs + output.logs, lines: startOutput.lines + output.lines) }
            try validate(weights, step: step, exampleCount: batch.count)
            if let examples = weights.examples, examples.contains(where: { $0 != nil }) {
                // Example weights change the losses themselves: their gradients are taken anew.
                let weighted = tasks.indices.map { t in
                    examples[t].map {
                        tasks[t].loss.weighted(outputs[t], batch.targets[t], exampleWeights: $0, exampleLosses: signals.exampleLoss?[t])
                    } ?? losses[t]
                }
                gradients = TaskGradients(model: model, representations: representations, cuts: cuts, losses: weighted)
            }
            gradients.apply(weights)
            let lossesBefore = needs.contains(.predictionGain) ? evaluationLosses(batch) : nil
            optimizer.step(learningRate: Float(learningRate))
            if let lossesBefore { gainOfLastStep = zip(lossesBefore, evaluationLosses(batch)).map { $0 - $1 } }
            previousWeights = weights.shared

            let record = StepRecord(step: step, epoch: signals.epoch, loss: lossValues, kpi: kpis,
                                    weights: weights, signals: signals, output: output)
            for hook in hooks { try hook.stepDidUpdate(record) }
            if step % config.evaluationInterval == 0 || step == config.steps {
                latestEvaluation = try evaluate(afterStep: step)
            }
        }
        let finalTest = try evaluateTest(afterStep: config.steps)
        let summary = RunSummary(steps: config.steps, finalEvaluation: latestEvaluation, finalTestEvaluation: finalTest,
                                 seconds: (ContinuousClock.now - clock).seconds, policySeconds: policyTime.seconds)
        for hook in hooks { try hook.runFinished(summary) }
        return summary
    }

    private func validate(_ weights: TaskWeights, step: Int, exampleCount: Int) throws {
        if let problem = weights.problem(taskCount: tasks.count, exampleCount: exampleCount) {
            throw TrainingError.invalidWeights(policy: policy.name, step: step, reason: problem.description)
        }
    }

    /// The validation batches of `val_align`: a seeded shuffle of the validation split, batch by batch
    /// (its own stream, so asking for the signal changes no other draw). Nil when not needed.
    private func validationSampler() throws -> EpochSampler? {
        guard policy.needs.contains(.validationAlignment) else { return nil }
        guard data.validation.count > 0 else {
            throw TrainingError.unavailableSignal(policy: policy.name, signal: PolicySignal.validationAlignment.rawValue,
                                                  reason: "the data has no validation examples")
        }
        return EpochSampler(count: data.validation.count, batchSize: min(configuration.batchSize, data.validation.count),
                            generator: .stream(configuration.seed, 5))
    }

    /// Each task's loss on `batch` in evaluation mode (no dropout), without gradients.
    private func evaluationLosses(_ batch: MultiTaskDataset) -> [Double] {
        let outputs = model(Variable(batch.inputs), .evaluation)
        return tasks.indices.map { Double(tasks[$0].loss(outputs[$0], batch.targets[$0]).value.scalar) }
    }

    /// ∇L_val over the shared parameters, L_val = Σ_t L_t on `batch` (evaluation mode: no dropout).
    private func validationGradient(_ batch: MultiTaskDataset) -> [Tensor] {
        let outputs = model(Variable(batch.inputs), .evaluation)
        let losses = tasks.indices.map { tasks[$0].loss(outputs[$0], batch.targets[$0]) }
        let shared = model.sharedParameters
        let gradients = Gradients.of(losses, seeds: losses.map { _ in Tensor(scalar: 1) }, withRespectTo: shared)
        return zip(shared, gradients).map { $1 ?? Tensor(zeros: $0.shape) }
    }

    /// Evaluates the test split, if the data has a non-empty one; never shown to the policy.
    @discardableResult
    private func evaluateTest(afterStep step: Int) throws -> EvaluationRecord? {
        guard let test = data.test, test.count > 0 else { return nil }
        return try evaluate(test, .test, afterStep: step)
    }

    /// Mean loss and KPI per task over the whole validation split, in chunks.
    private func evaluate(afterStep step: Int) throws -> EvaluationRecord {
        try evaluate(data.validation, .validation, afterStep: step)
    }

    /// Mean loss and KPI per task over all of `examples`, in chunks (bounded memory), told to the hooks.
    private func evaluate(_ examples: MultiTaskDataset, _ split: EvaluationSplit, afterStep step: Int) throws -> EvaluationRecord {
        let chunk = 1024
        var lossTotals = [Double](repeating: 0, count: tasks.count)
        var kpiTotals = lossTotals
        for start in stride(from: 0, to: examples.count, by: chunk) {
            let indices = Array(start..<min(start + chunk, examples.count))
            let batch = examples.subset(indices)
            let outputs = model(Variable(batch.inputs), .evaluation)
            for t in tasks.indices {
                lossTotals[t] += Double(tasks[t].loss(outputs[t], batch.targets[t]).value.scalar) * Double(indices.count)
                kpiTotals[t] += tasks[t].kpi.evaluate(outputs[t].value, batch.targets[t]) * Double(indices.count)
            }
        }
        let n = Double(max(examples.count, 1))
        let record = EvaluationRecord(step: step, loss: lossTotals.map { $0 / n }, kpi: kpiTotals.map { $0 / n }, split: split)
        for hook in hooks { try hook.evaluated(record) }
        return record
    }
}
