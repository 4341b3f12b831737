import Foundation
import FulcrumCore
import Testing

/// `grad_ema_gram` and `adagrad_norm2` against the per-task gradients computed apart. At learning rate
/// 0 on a 32-example training set with batch 32 every step sees the same gradients g_t, so after k
/// steps the average is (1 − β^k) g_t and Adagrad's sum of squares k g_t².
@Suite("Gradient history signals")
struct GradientHistoryTests {
    final class HistoryProbe: WeightingPolicy {
        let name = "history_probe"
        let needs: Set<PolicySignal> = [.gradientEMAGram, .adagradNorm]
        let gradientHistory: GradientHistorySettings
        var seen: [StepSignals] = []
        init(_ settings: GradientHistorySettings) { gradientHistory = settings }
        func start(_ context: PolicyContext) throws {}
        func weights(for signals: StepSignals) throws -> TaskWeights {
            seen.append(signals)
            return TaskWeights([1, 1, 1, 1])
        }
    }

    func run(_ settings: GradientHistorySettings) throws -> (probe: HistoryProbe, gradients: [[Float]], losses: [Double]) {
        let data = syntheticData(train: 32, validation: 32)
        var generator = SeededGenerator.stream(4, 1)
        let model = MultiTaskNetwork(NetworkSpec(input: .features(8), trunk: .mlp(widths: [10, 6], activation: .tanh, dropout: 0),
                                                 architecture: .hardSharing, headOutputs: fourTasks.map(\.kind.outputCount)),
                                     generator: &generator)
        var gradients: [[Float]] = [], losses: [Double] = []
        for task in 0..<4 {
            for parameter in model.parameters { parameter.grad = nil }
            let loss = fourTasks[task].loss(model(Variable(data.train.inputs))[task], data.train.targets[task])
            loss.backward()
            losses.append(Double(loss.value.scalar))
            gradients.append(model.sharedParameters.flatMap { ($0.grad ?? Tensor(zeros: $0.shape)).scalars })
        }
        for parameter in model.parameters { parameter.grad = nil }
        let probe = HistoryProbe(settings)
        try Trainer(model: model, tasks: fourTasks, data: data,
                    configuration: TrainingConfiguration(steps: 3, batchSize: 32, optimizer: .sgd(momentum: 0), learningRate: 0,
                                                         evaluationInterval: 3, seed: 1),
                    policy: probe).run()
        return (probe, gradients, losses)
    }

    func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-4 * max(1, abs(b)) }

    @Test(arguments: [false, true])
    func averagedGramIsTheGramOfTheMovingAverages(ofLogLoss: Bool) throws {
        let beta = 0.8
        let (probe, g, losses) = try run(GradientHistorySettings(beta: beta, ofLogLoss: ofLogLoss))
        for (k, signals) in probe.seen.enumerated() {
            let factor = 1 - pow(beta, Double(k + 1))
            let gram = try #require(signals.gradientEMAGram)
            for t in 0..<4 {
                for u in 0..<4 {
                    var expected = zip(g[t], g[u]).reduce(0.0) { $0 + Double($1.0) * Double($1.1) } * factor * factor
                    if ofLogLoss { expected /= losses[t] * losses[u] }
                    #expect(close(gram[t][u], expected), "step \(k + 1) [\(t)][\(u)]: \(gram[t][u]) vs \(expected)")
                }
            }
        }
    }

    @Test func adagradNormIsTheSquaredNormInTheAdagradMetric() throws {
        let (probe, g, _) = try run(GradientHistorySettings())
        for (k, signals) in probe.seen.enumerated() {
            let norms = try #require(signals.adagradNorm)
            for t in 0..<4 {
                let expected = g[t].reduce(0.0) { total, x in
                    let square = Double(x) * Double(x)
                    return total + square / (Double(k + 1) * square + 1e-7).squareRoot()
                }
                #expect(close(norms[t], expected), "step \(k + 1) task \(t): \(norms[t]) vs \(expected)")
            }
        }
    }
}
