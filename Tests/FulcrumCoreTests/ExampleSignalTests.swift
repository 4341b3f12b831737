import FulcrumCore
import Testing

/// The per-example signals: `example_loss`, the `examples` answer, and `val_align`, each against an
/// independent computation (the loss of one example alone, finite differences, a plain backward pass).
@Suite("Per-example losses, example weights and validation alignment")
struct ExampleSignalTests {
    /// The losses of every kind of task, on random outputs with random targets.
    static let cases: [(TaskLoss, Int, TaskTargets)] = {
        var generator = SeededGenerator(seed: 5)
        func values(_ rows: Int, _ columns: Int, binary: Bool) -> TaskTargets {
            .values(Tensor(shape: [rows, columns], scalars: (0..<rows * columns).map { _ in
                binary ? Float(Int.random(in: 0...1, using: &generator)) : Float(generator.normal()) * 0.3 }))
        }
        let labels = TaskTargets.labels((0..<6).map { _ in Int.random(in: 0..<4, using: &generator) })
        return [(.softmaxCrossEntropy, 4, labels), (.focal(gamma0: 2), 4, labels),
                (.binaryCrossEntropy, 9, values(6, 9, binary: true)), (.binaryFocal(gamma0: 1), 9, values(6, 9, binary: true)),
                (.meanSquaredError, 2, values(6, 2, binary: false)), (.l1, 2, values(6, 2, binary: false)),
                (.smoothL1(beta: 0.05), 8, values(6, 8, binary: false))]
    }()

    func output(columns: Int, seed: UInt64) -> Tensor {
        var generator = SeededGenerator(seed: seed)
        return Tensor(shape: [6, columns], scalars: (0..<6 * columns).map { _ in Float(generator.normal()) })
    }

    @Test func exampleLossesAverageToTheBatchLoss() {
        for (loss, columns, targets) in Self.cases {
            let logits = output(columns: columns, seed: 1)
            let perExample = loss.exampleLosses(logits, targets)
            let batch = Double(loss(Variable(logits), targets).value.scalar)
            #expect(perExample.count == 6)
            #expect(abs(perExample.reduce(0, +) / 6 - batch) <= 1e-5 * max(1, batch), "\(loss.name)")
        }
    }

    /// (1/B) Σ v_i ℓ_i: its value, and its gradient against central differences of that formula.
    @Test func weightedLossHasTheGradientOfTheWeightedMean() {
        let v = [0.0, 1.0, 2.5, 0.3, 1.0, 0.7]
        for (loss, columns, targets) in Self.cases {
            let logits = output(columns: columns, seed: 2)
            func weightedMean(_ x: Tensor) -> Double {
                zip(v, loss.exampleLosses(x, targets)).reduce(0) { $0 + $1.0 * $1.1 } / 6
            }
            let input = Variable(logits, requiresGrad: true)
            let weighted = loss.weighted(input, targets, exampleWeights: v)
            #expect(abs(Double(weighted.value.scalar) - weightedMean(logits)) <= 1e-5, "\(loss.name) value")
            weighted.backward()
            let gradient = try! #require(input.grad)
            for index in stride(from: 0, to: logits.count, by: 3) {
                var plus = logits, minus = logits
                plus.scalars[index] += 1e-2
                minus.scalars[index] -= 1e-2
                let numeric = (weightedMean(plus) - weightedMean(minus)) / 2e-2
                #expect(abs(Double(gradient.scalars[index]) - numeric) <= 2e-3 * max(1, abs(numeric)), "\(loss.name) entry \(index)")
            }
        }
    }

    /// A policy that answers fixed task weights and example weights, recording what it saw.
    final class ExampleProbe: WeightingPolicy {
        let name = "example_probe"
        let needs: Set<PolicySignal>
        let validationAlignmentInterval: Int
        let answer: (StepSignals) -> TaskWeights
        var seen: [StepSignals] = []
        init(needs: Set<PolicySignal>, every: Int = 1, answer: @escaping (StepSignals) -> TaskWeights) {
            self.needs = needs
            self.validationAlignmentInterval = every
            self.answer = answer
        }
        func start(_ context: PolicyContext) throws {}
        func weights(for signals: StepSignals) throws -> TaskWeights {
            seen.append(signals)
            return answer(signals)
        }
    }

    @Test func exampleLossSignalIsThisBatchsPerExampleLosses() throws {
        let probe = ExampleProbe(needs: [.exampleLoss]) { _ in TaskWeights([1, 1, 1, 1]) }
        try makeTrainer(seed: 4, steps: 3, policy: probe).run()
        for signals in probe.seen {
            let rows = try #require(signals.exampleLoss)
            #expect(rows.count == 4 && rows.allSatisfy { $0.count == 32 })
            for t in 0..<4 { #expect(abs(rows[t].reduce(0, +) / 32 - signals.loss[t]) <= 1e-5 * max(1, signals.loss[t])) }
        }
    }

    /// Every example weighted c trains exactly as the task weight c does; weights of 1 as no answer at all.
    @Test func uniformExampleWeightsAreATaskWeight() throws {
        func losses(_ answer: TaskWeights) throws -> [[Double]] {
            let recorder = Recorder()
            try makeTrainer(seed: 6, steps: 20, policy: FixedWeights(answer), hooks: [recorder]).run()
            return recorder.steps.map(\.loss)
        }
        let twos = [Double](repeating: 2, count: 32), ones = [Double](repeating: 1, count: 32)
        let byTask = try losses(TaskWeights([1, 2, 1, 1]))
        let byExamples = try losses(TaskWeights([1, 1, 1, 1], examples: [nil, twos, ones, nil]))
        for (a, b) in zip(byTask, byExamples) {
            for (x, y) in zip(a, b) { #expect(abs(x - y) <= 1e-4 * max(1, abs(x))) }
        }
        let dropped = try losses(TaskWeights([1, 1, 1, 1], examples: [nil, ones.map { _ in 0 }, nil, nil]))
        let zeroTask = try losses(TaskWeights([1, 0, 1, 1]))
        #expect(zip(dropped, zeroTask).allSatisfy { zip($0, $1).allSatisfy { abs($0 - $1) <= 1e-4 * max(1, abs($0)) } })
    }

    @Test func exampleWeightsOfTheWrongShapeStopTheRunNamingTheEntry() throws {
        let short = FixedWeights(TaskWeights([1, 1, 1, 1], examples: [nil, [1, 1], nil, nil]))
        #expect(throws: TrainingError.invalidWeights(policy: "fixed", step: 1,
                                                     reason: "examples[2] has 2 entries, expected 32 (one per example in the batch)")) {
            try makeTrainer(seed: 1, steps: 2, policy: short).run()
        }
        var negative = [Double](repeating: 1, count: 32)
        negative[4] = -1
        let signed = FixedWeights(TaskWeights([1, 1, 1, 1], examples: [negative, nil, nil, nil]))
        #expect(throws: TrainingError.invalidWeights(policy: "fixed", step: 1, reason: "examples[1][5] is -1.0, expected a finite number ≥ 0")) {
            try makeTrainer(seed: 1, steps: 2, policy: signed).run()
        }
    }

    /// val_align[t] = ⟨∇L_val, ∇L_t⟩: with a 32-example training set and a 32-example validation split at
    /// batch 32, the first step's batches are those whole sets (their means do not depend on the order).
    @Test func validationAlignmentIsTheInnerProductWithTheValidationGradient() throws {
        let data = syntheticData(train: 32, validation: 32)
        var generator = SeededGenerator.stream(9, 1)
        let model = MultiTaskNetwork(NetworkSpec(input: .features(8), trunk: .mlp(widths: [12, 10], activation: .tanh, dropout: 0),
                                                 architecture: .hardSharing, headOutputs: fourTasks.map(\.kind.outputCount)),
                                     generator: &generator)
        func sharedGradient(_ examples: MultiTaskDataset, tasks: [Int]) -> [Tensor] {
            for parameter in model.parameters { parameter.grad = nil }
            let outputs = model(Variable(examples.inputs))
            for t in tasks { fourTasks[t].loss(outputs[t], examples.targets[t]).backward() }
            defer { for parameter in model.parameters { parameter.grad = nil } }
            return model.sharedParameters.map { $0.grad ?? Tensor(zeros: $0.shape) }
        }
        let validation = sharedGradient(data.validation, tasks: [0, 1, 2, 3])
        let expected = (0..<4).map { t in
            zip(sharedGradient(data.train, tasks: [t]), validation).reduce(0.0) { $0 + $1.0.dot($1.1) }
        }
        let probe = ExampleProbe(needs: [.validationAlignment]) { _ in TaskWeights([1, 1, 1, 1]) }
        try Trainer(model: model, tasks: fourTasks, data: data,
                    configuration: TrainingConfiguration(steps: 1, batchSize: 32, optimizer: .sgd(momentum: 0), learningRate: 0,
                                                         evaluationInterval: 1, seed: 1),
                    policy: probe).run()
        let measured = try #require(probe.seen.first?.validationAlignment)
        for t in 0..<4 { #expect(abs(measured[t] - expected[t]) <= 1e-4 * max(1, abs(expected[t])), "task \(t)") }
        #expect(expected.contains { $0 != 0 })
    }

    @Test func validationAlignmentArrivesEveryKSteps() throws {
        let probe = ExampleProbe(needs: [.validationAlignment], every: 3) { _ in TaskWeights([1, 1, 1, 1]) }
        try makeTrainer(seed: 2, steps: 8, policy: probe).run()
        #expect(probe.seen.filter { $0.validationAlignment != nil }.map(\.step) == [1, 4, 7])
    }

    @Test func validationAlignmentWithoutValidationExamplesIsAnError() throws {
        let data = syntheticData(train: 64, validation: 32)
        let empty = DatasetSplits(train: data.train, validation: data.validation.subset([]))
        let probe = ExampleProbe(needs: [.validationAlignment]) { _ in TaskWeights([1, 1, 1, 1]) }
        #expect(throws: TrainingError.unavailableSignal(policy: "example_probe", signal: "val_align", reason: "the data has no validation examples")) {
            try makeTrainer(seed: 2, steps: 2, policy: probe, data: empty).run()
        }
    }
}
