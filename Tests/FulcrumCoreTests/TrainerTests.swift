import FulcrumCore
import Testing

/// A Swift policy with fixed weights, recording what it was shown.
final class FixedWeights: WeightingPolicy {
    let name = "fixed"
    let needs: Set<PolicySignal>
    let answer: TaskWeights
    var seen: [StepSignals] = []
    var context: PolicyContext?

    init(_ answer: TaskWeights, needs: Set<PolicySignal> = []) {
        self.answer = answer
        self.needs = needs
    }

    func start(_ context: PolicyContext) throws { self.context = context }
    func weights(for signals: StepSignals) throws -> TaskWeights {
        seen.append(signals)
        return answer
    }
}

/// Collects every record a run emits.
final class Recorder: TrainingHook {
    var steps: [StepRecord] = []
    var evaluations: [EvaluationRecord] = []
    func stepDidUpdate(_ record: StepRecord) throws { steps.append(record) }
    func evaluated(_ evaluation: EvaluationRecord) throws { evaluations.append(evaluation) }
}

let fourTasks = [
    TaskSpec(name: "easy", kind: .classification(classes: 3), loss: .softmaxCrossEntropy, kpi: .accuracy),
    TaskSpec(name: "hard", kind: .classification(classes: 6), loss: .softmaxCrossEntropy, kpi: .accuracy),
    TaskSpec(name: "flag", kind: .binary, loss: .binaryCrossEntropy, kpi: .accuracy),
    TaskSpec(name: "value", kind: .regression(outputs: 2), loss: .meanSquaredError, kpi: .withinTolerance(0.3)),
]

func syntheticData(seed: UInt64 = 3, train: Int = 512, validation: Int = 256) -> DatasetSplits {
    SyntheticMultiTaskData.make(
        tasks: [.init(kind: fourTasks[0].kind, noise: 0), .init(kind: fourTasks[1].kind, noise: 0.2),
                .init(kind: fourTasks[2].kind, noise: 0.05), .init(kind: fourTasks[3].kind, noise: 0.05)],
        inputDimension: 8, clusters: 4, trainCount: train, validationCount: validation, seed: seed)
}

func makeTrainer(seed: UInt64, steps: Int = 150, policy: any WeightingPolicy, hooks: [any TrainingHook] = [],
                 optimizer: OptimizerKind = .adam(beta1: 0.9, beta2: 0.999, epsilon: 1e-8), learningRate: Float = 0.01,
                 data: DatasetSplits = syntheticData(), architecture: NetworkSpec.Architecture = .hardSharing) -> Trainer {
    var generator = SeededGenerator.stream(seed, 1)
    let model = MultiTaskNetwork(NetworkSpec(input: .features(8), trunk: .mlp(widths: [16, 16], activation: .relu, dropout: 0),
                                             architecture: architecture, headOutputs: fourTasks.map(\.kind.outputCount)),
                                 generator: &generator)
    return Trainer(model: model, tasks: fourTasks, data: data,
                   configuration: TrainingConfiguration(steps: steps, batchSize: 32, optimizer: optimizer,
                                                        learningRate: learningRate, evaluationInterval: 50, seed: seed),
                   policy: policy, hooks: hooks)
}

@Suite("Trainer")
struct TrainerTests {
    @Test func trainingLowersEveryTaskValidationLoss() throws {
        let recorder = Recorder()
        let summary = try makeTrainer(seed: 1, steps: 300, policy: FixedWeights(TaskWeights([1, 1, 1, 1])), hooks: [recorder]).run()
        let before = try #require(recorder.evaluations.first), after = summary.finalEvaluation
        #expect(before.step == 0 && after.step == 300)
        for task in fourTasks.indices {
            #expect(after.loss[task] < 0.8 * before.loss[task], "task \(fourTasks[task].name): \(before.loss[task]) → \(after.loss[task])")
        }
        #expect(after.kpi[0] > 0.8, "the noiseless 3-way task should be learned, got \(after.kpi[0])")
    }

    @Test func sameSeedGivesIdenticalNumbers() throws {
        func run(_ seed: UInt64) throws -> (Recorder, RunSummary) {
            let recorder = Recorder()
            let summary = try makeTrainer(seed: seed, steps: 60, policy: FixedWeights(TaskWeights([1, 2, 0.5, 1])), hooks: [recorder]).run()
            return (recorder, summary)
        }
        let (first, firstSummary) = try run(5)
        let (second, secondSummary) = try run(5)
        #expect(first.steps == second.steps)
        #expect(firstSummary.finalEvaluation == secondSummary.finalEvaluation)
        let (other, _) = try run(6)
        #expect(other.steps.map(\.loss) != first.steps.map(\.loss))
    }

    @Test func policySeesRequestedSignalsOnly() throws {
        let plain = FixedWeights(TaskWeights([1, 1, 1, 1]))
        try makeTrainer(seed: 1, steps: 3, policy: plain).run()
        #expect(plain.seen.allSatisfy { $0.kpi == nil && $0.validationKPI == nil })

        let curious = FixedWeights(TaskWeights([1, 1, 1, 1]), needs: [.kpi, .validationKPI, .validationLoss])
        try makeTrainer(seed: 1, steps: 3, policy: curious).run()
        let first = try #require(curious.seen.first)
        #expect(first.kpi?.count == 4 && first.validationKPI?.count == 4 && first.validationLoss?.count == 4)
        #expect(first.step == 1 && first.epoch == 1 && first.progress == 0 && first.weights == [1, 1, 1, 1])
        #expect(curious.seen[2].initialLoss == first.loss)
        #expect(curious.context?.stepsPerEpoch == 512 / 32)
        #expect(curious.context?.tasks == ["easy", "hard", "flag", "value"])
        #expect(curious.context?.taskKinds == ["classification", "classification", "binary", "regression"])
    }

    @Test func wrongNumberOfWeightsFailsTheRun() throws {
        #expect(throws: TrainingError.invalidWeights(policy: "fixed", step: 1, reason: "weights has 3 entries, expected 4 (one per task)")) {
            try makeTrainer(seed: 1, steps: 3, policy: FixedWeights(TaskWeights([1, 1, 1]))).run()
        }
        #expect(throws: TrainingError.invalidWeights(policy: "fixed", step: 1, reason: "weights[2] is -1.0, expected a finite number ≥ 0")) {
            try makeTrainer(seed: 1, steps: 3, policy: FixedWeights(TaskWeights([1, -1, 1, 1]))).run()
        }
        let split = { (shared: [Double], heads: [Double]) in FixedWeights(TaskWeights(shared: shared, heads: heads)) }
        #expect(throws: TrainingError.invalidWeights(policy: "fixed", step: 1, reason: "shared[3] is inf, expected a finite number")) {
            try makeTrainer(seed: 1, steps: 3, policy: split([1, 1, .infinity, 1], [1, 1, 1, 1])).run()
        }
        #expect(throws: TrainingError.invalidWeights(policy: "fixed", step: 1, reason: "heads[1] is -0.5, expected a finite number ≥ 0")) {
            try makeTrainer(seed: 1, steps: 3, policy: split([1, 1, 1, 1], [-0.5, 1, 1, 1])).run()
        }
        // A negative shared coefficient is a valid answer (IMTL-G, Aligned-MTL): the run trains.
        #expect(try makeTrainer(seed: 1, steps: 3, policy: split([1, -0.5, 1, 1], [1, 1, 1, 1])).run().steps == 3)
    }

    @Test func divergenceIsReportedWithTheStep() {
        // A huge learning rate with plain SGD blows the regression loss up within a few steps.
        #expect {
            try makeTrainer(seed: 1, steps: 200, policy: FixedWeights(TaskWeights([1, 1, 1, 1])),
                            optimizer: .sgd(momentum: 0), learningRate: 1e6).run()
        } throws: { error in
            guard case let .diverged(step, _, loss) = error as? TrainingError else { return false }
            return step > 1 && !loss.isFinite
        }
    }
}
