import FulcrumCore
import Testing

/// `prediction_gain`: the previous batch's losses before and after that step's update.
@Suite("Prediction gain")
struct PredictionGainTests {
    final class GainProbe: WeightingPolicy {
        let name = "gain_probe"
        let needs: Set<PolicySignal> = [.predictionGain]
        var seen: [StepSignals] = []
        func start(_ context: PolicyContext) throws {}
        func weights(for signals: StepSignals) throws -> TaskWeights {
            seen.append(signals)
            return TaskWeights([1, 0, 2, 1])
        }
    }

    func model() -> MultiTaskNetwork {
        var generator = SeededGenerator.stream(6, 1)
        return MultiTaskNetwork(NetworkSpec(input: .features(8), trunk: .mlp(widths: [12], activation: .tanh, dropout: 0),
                                            architecture: .hardSharing, headOutputs: fourTasks.map(\.kind.outputCount)),
                                generator: &generator)
    }

    func train(_ model: MultiTaskNetwork, steps: Int, policy: any WeightingPolicy, data: DatasetSplits) throws {
        try Trainer(model: model, tasks: fourTasks, data: data,
                    configuration: TrainingConfiguration(steps: steps, batchSize: 32, optimizer: .sgd(momentum: 0), learningRate: 0.5,
                                                         evaluationInterval: steps, seed: 1),
                    policy: policy).run()
    }

    /// With the whole 32-example training set as the batch, the first step's gain is the change of the
    /// training-set losses over one step, measured here on a twin model trained apart.
    @Test func gainIsTheLossDecreaseOnTheStepsOwnBatch() throws {
        let data = syntheticData(train: 32, validation: 32)
        let probe = GainProbe()
        try train(model(), steps: 2, policy: probe, data: data)
        #expect(probe.seen[0].predictionGain == nil, "no step before the first")

        let twin = model()
        let before = meanLossAndKPI(twin, data.train).loss
        try train(twin, steps: 1, policy: GainProbe(), data: data)
        let after = meanLossAndKPI(twin, data.train).loss
        let gain = try #require(probe.seen[1].predictionGain)
        for t in 0..<4 {
            #expect(abs(gain[t] - (before[t] - after[t])) <= 1e-5 * max(1, abs(before[t])), "task \(t)")
        }
        #expect(gain[0] > 0 && gain[2] > 0, "the trained tasks' losses fell")
    }
}
