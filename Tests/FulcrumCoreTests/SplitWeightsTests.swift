import FulcrumCore
import Testing

/// `{shared = w, heads = h}`: the shared parameters move along Σ w_t g_t and head t along h_t g_t.
/// Checked with one plain-SGD step at learning rate 1, so the change of each parameter is −gradient,
/// against gradients computed task by task without the trainer.
@Suite("Split shared/head weights")
struct SplitWeightsTests {
    @Test func sharedAndHeadWeightsApplyAsSpecified() throws {
        let w: [Double] = [0.5, 2, 0, 1], h: [Double] = [3, 0.25, 1, 0]
        let data = syntheticData(train: 32, validation: 32)
        let trainer = makeTrainer(seed: 4, steps: 1, policy: FixedWeights(TaskWeights(shared: w, heads: h)),
                                  optimizer: .sgd(momentum: 0), learningRate: 1, data: data)
        let model = trainer.model
        let before = model.parameters.map(\.value)

        // Per-task gradients at the initial parameters, one backward pass per task. The batch is the
        // whole 32-example training set, whatever order the sampler draws it in.
        let outputs = model(Variable(data.train.inputs))
        var perTask: [[Tensor]] = []
        for task in fourTasks.indices {
            for parameter in model.parameters { parameter.grad = nil }
            fourTasks[task].loss(outputs[task], data.train.targets[task]).backward()
            perTask.append(model.parameters.map { $0.grad ?? Tensor(zeros: $0.shape) })
        }
        for parameter in model.parameters { parameter.grad = nil }

        try trainer.run()
        let sharedCount = model.sharedParameters.count
        let headStarts = model.headParameters.reduce(into: [sharedCount]) { $0.append($0.last! + $1.count) }
        for (index, parameter) in model.parameters.enumerated() {
            var expected = Tensor(zeros: parameter.shape)
            if index < sharedCount {
                for task in fourTasks.indices { expected.add(perTask[task][index], scaledBy: Float(w[task])) }
            } else {
                let task = headStarts.lastIndex { $0 <= index }!
                expected.add(perTask[task][index], scaledBy: Float(h[task]))
            }
            let step = before[index] - parameter.value
            for i in 0..<step.count {
                #expect(abs(step.scalars[i] - expected.scalars[i]) < 1e-4 * max(1, abs(expected.scalars[i])),
                        "parameter \(index) element \(i)")
            }
        }
    }
}
