import FulcrumCore
import Testing

@Suite("Architectures")
struct ArchitectureTests {
    func hierarchy(order: [Int]) -> MultiTaskNetwork {
        var generator = SeededGenerator(seed: 2)
        return MultiTaskNetwork(NetworkSpec(input: .features(5), trunk: .mlp(widths: [6, 7, 8], activation: .relu, dropout: 0),
                                            architecture: .taskHierarchy(order: order), headOutputs: [2, 3, 1]),
                                generator: &generator)
    }

    /// Block p feeds the head of task order[p]: the head's input width is block p's width, and its
    /// output changes when (and only when) a block at or below p changes.
    @Test(arguments: [[0, 1, 2], [2, 0, 1]])
    func taskHierarchyWiresHeadsToBlocksInTheGivenOrder(order: [Int]) {
        let model = hierarchy(order: order)
        let widths = [6, 7, 8]
        for (position, task) in order.enumerated() {
            #expect(model.headInputs[task] == [position])
            #expect(model.heads[task].weight.shape[0] == widths[position], "task \(task) reads block \(position)")
        }
        let input = Variable(sampleTensor([3, 5], seed: 4))
        let before = model(input).map(\.value)
        // Perturb the last block: only the task at the last position may change.
        model.blocks[2].parameters[1].updateScalars { $0 = $0.map { $0 + 1 } }
        let after = model(input).map(\.value)
        for task in 0..<3 {
            #expect((before[task] != after[task]) == (task == order[2]), "task \(task)")
        }
    }

    @Test func uberNetHeadsReadEveryNormalisedBlock() {
        var generator = SeededGenerator(seed: 3)
        let model = MultiTaskNetwork(NetworkSpec(input: .features(5), trunk: .mlp(widths: [6, 7], activation: .relu, dropout: 0),
                                                 architecture: .ubernet, headOutputs: [2, 4]), generator: &generator)
        #expect(model.headInputs == [[0, 1], [0, 1]])
        #expect(model.heads.map { $0.weight.shape[0] } == [13, 13])
        #expect(model.normalizations.count == 2)
        let representations = model.representations(Variable(sampleTensor([4, 5], seed: 5)), .evaluation)
        for representation in representations {
            for row in 0..<4 {
                let values = (0..<representation.shape[1]).map { Double(representation.value[row, $0]) }
                #expect(abs(values.reduce(0, +) / Double(values.count)) < 1e-5, "layer-normalised rows have mean 0")
            }
        }
    }

    @Test func convolutionalTrunkTrains() throws {
        let data = SyntheticMultiTaskData.make(
            tasks: [.init(kind: .classification(classes: 3), noise: 0), .init(kind: .binary, noise: 0)],
            inputDimension: 36, clusters: 4, trainCount: 256, validationCount: 128, seed: 4)
        var generator = SeededGenerator(seed: 5)
        let spec = NetworkSpec(input: .image(height: 6, width: 6, channels: 1),
                               trunk: .cnn(convolutions: [.init(filters: 4, kernel: 3, padding: 1, pool: 2)], fullyConnected: [16],
                                           activation: .relu, dropout: 0.1),
                               architecture: .hardSharing, headOutputs: [3, 1])
        let tasks = [TaskSpec(name: "c", kind: .classification(classes: 3), loss: .focal(gamma0: 1), kpi: .accuracy),
                     TaskSpec(name: "b", kind: .binary, loss: .binaryCrossEntropy, kpi: .accuracy)]
        let summary = try Trainer(model: MultiTaskNetwork(spec, generator: &generator), tasks: tasks, data: data,
                                  configuration: TrainingConfiguration(steps: 200, batchSize: 32,
                                                                       optimizer: .adamW(beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01),
                                                                       learningRate: 0.01, evaluationInterval: 100, seed: 6),
                                  policy: FixedWeights(TaskWeights([1, 1]))).run()
        #expect(summary.finalEvaluation.kpi[0] > 0.6, "3-way accuracy \(summary.finalEvaluation.kpi[0])")
        #expect(summary.finalEvaluation.kpi[1] > 0.7, "binary accuracy \(summary.finalEvaluation.kpi[1])")
    }
}
