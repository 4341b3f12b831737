import FulcrumCore
import Testing

/// The gradient signals against per-task gradients computed independently: a fresh forward pass and
/// a plain backward() per task, without the trainer's cut at the representations.
@Suite("Gradient signals")
struct GradientSignalTests {
    static let architectures: [NetworkSpec.Architecture] = [.hardSharing, .taskHierarchy(order: [2, 0, 3, 1]), .ubernet]

    func network(_ architecture: NetworkSpec.Architecture) -> MultiTaskNetwork {
        var generator = SeededGenerator(seed: 21)
        return MultiTaskNetwork(NetworkSpec(input: .features(8), trunk: .mlp(widths: [12, 10, 9, 7], activation: .tanh, dropout: 0),
                                            architecture: architecture, headOutputs: fourTasks.map(\.kind.outputCount)),
                                generator: &generator)
    }

    /// Per-task gradients on `parameters` by separate backward passes from a fresh forward pass.
    func separateGradients(_ model: MultiTaskNetwork, _ batch: MultiTaskDataset, on parameters: [Variable]) -> [[Tensor]] {
        fourTasks.indices.map { task in
            for parameter in model.parameters { parameter.grad = nil }
            let outputs = model(Variable(batch.inputs))
            fourTasks[task].loss(outputs[task], batch.targets[task]).backward()
            let gradients = parameters.map { $0.grad ?? Tensor(zeros: $0.shape) }
            for parameter in model.parameters { parameter.grad = nil }
            return gradients
        }
    }

    /// A policy that records the signals and answers equal weights.
    final class Probe: WeightingPolicy {
        let name = "probe"
        let needs: Set<PolicySignal> = [.gram, .gradientNorm, .representationGram]
        let gradientNormScope: GradientNormScope
        var signals: StepSignals?
        init(scope: GradientNormScope) { gradientNormScope = scope }
        func start(_ context: PolicyContext) throws {}
        func weights(for signals: StepSignals) throws -> TaskWeights {
            if self.signals == nil { self.signals = signals }
            return TaskWeights([1, 1, 1, 1])
        }
    }

    /// One training step on the whole 32-example training set, recording the signals.
    func firstStepSignals(_ model: MultiTaskNetwork, scope: GradientNormScope, data: DatasetSplits) throws -> StepSignals {
        let probe = Probe(scope: scope)
        try Trainer(model: model, tasks: fourTasks, data: data,
                    configuration: TrainingConfiguration(steps: 1, batchSize: 32, optimizer: .sgd(momentum: 0), learningRate: 0,
                                                         evaluationInterval: 1, seed: 1),
                    policy: probe).run()
        return try #require(probe.signals)
    }

    @Test(arguments: architectures)
    func gramIsTheInnerProductsOfPerTaskSharedGradients(_ architecture: NetworkSpec.Architecture) throws {
        let data = syntheticData(train: 32, validation: 32)
        let model = network(architecture)
        let perTask = separateGradients(model, data.train, on: model.sharedParameters)
        let signals = try firstStepSignals(model, scope: .sharedParameters, data: data)
        let gram = try #require(signals.gram)
        for t in 0..<4 {
            for u in 0..<4 {
                let expected = zip(perTask[t], perTask[u]).reduce(0.0) { total, pair in
                    total + zip(pair.0.scalars, pair.1.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
                }
                #expect(abs(gram[t][u] - expected) <= 1e-4 * max(1, abs(expected)), "gram[\(t)][\(u)]")
            }
            let norm = try #require(signals.gradientNorm)[t]
            #expect(abs(norm * norm - gram[t][t]) <= 1e-6 * max(1, gram[t][t]))
        }
    }

    @Test(arguments: architectures)
    func lastLayerGradientNormIsTheNormOfThatLayersGradient(_ architecture: NetworkSpec.Architecture) throws {
        let data = syntheticData(train: 32, validation: 32)
        let model = network(architecture)
        let perTask = separateGradients(model, data.train, on: model.lastSharedLayerParameters)
        let norms = try #require(try firstStepSignals(model, scope: .lastSharedLayer, data: data).gradientNorm)
        for t in 0..<4 {
            let expected = perTask[t].reduce(0.0) { $0 + $1.scalars.reduce(0.0) { $0 + Double($1) * Double($1) } }.squareRoot()
            #expect(abs(norms[t] - expected) <= 1e-5 * max(1, expected), "task \(t)")
        }
    }

    /// rep_gram: inner products of ∂L_t/∂z at the representations the heads read, from a cut forward pass.
    @Test func representationGramForHardSharing() throws {
        let data = syntheticData(train: 32, validation: 32)
        let model = network(.hardSharing)
        let representation = model.representations(Variable(data.train.inputs), .evaluation)[0]
        let cut = Variable(representation.value, requiresGrad: true)
        let outputs = model.outputs([cut], .evaluation)
        let atRepresentation = fourTasks.indices.map { task -> Tensor in
            cut.grad = nil
            fourTasks[task].loss(outputs[task], data.train.targets[task]).backward()
            return cut.grad!
        }
        let repGram = try #require(try firstStepSignals(model, scope: .sharedParameters, data: data).representationGram)
        for t in 0..<4 {
            for u in 0..<4 {
                let expected = zip(atRepresentation[t].scalars, atRepresentation[u].scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
                #expect(abs(repGram[t][u] - expected) <= 1e-5 * max(1, abs(expected)))
            }
        }
    }

    @Test func signalsDoNotChangeTheTrainingNumbers() throws {
        func losses(_ policy: any WeightingPolicy) throws -> [[Double]] {
            let recorder = Recorder()
            try makeTrainer(seed: 3, steps: 30, policy: policy, hooks: [recorder]).run()
            return recorder.steps.map(\.loss)
        }
        let plain = try losses(FixedWeights(TaskWeights([1, 1, 1, 1])))
        let withSignals = try losses(FixedWeights(TaskWeights([1, 1, 1, 1]), needs: [.gram, .gradientNorm, .representationGram, .kpi]))
        for (a, b) in zip(plain, withSignals) {
            for (x, y) in zip(a, b) { #expect(abs(x - y) <= 1e-5 * max(1, abs(x))) }
        }
        #expect(try losses(FixedWeights(TaskWeights([1, 1, 1, 1]), needs: [.gram])) == withSignals, "same seed, same numbers")
    }
}
