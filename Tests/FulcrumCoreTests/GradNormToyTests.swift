import Foundation
import FulcrumCore
import Testing

@Suite("The GradNorm toy")
struct GradNormToyTests {
    @Test func targetsAreScaledTanhsOfSharedMapsOfZeroMeanUnitInputs() {
        let data = GradNormToy.make(scales: [1, 100], trainCount: 2000, validationCount: 20, testCount: 50, seed: 5)
        #expect(data.train.inputs.shape == [2000, 250] && data.test!.count == 50 && data.freshBatches == nil)
        var columnMeans = [Double](repeating: 0, count: 250)
        for row in 0..<2000 {
            let x = (0..<250).map { Double(data.train.inputs.scalars[row * 250 + $0]) }
            #expect(abs(x.reduce(0) { $0 + $1 * $1 } - 1) < 1e-4)
            for j in 0..<250 { columnMeans[j] += x[j] / 2000 }
        }
        // Each coordinate has mean 0 and standard deviation 1/√250 ≈ 0.063: over 2 000 examples its
        // mean is within 0.0014 · 6 of 0.
        #expect(columnMeans.allSatisfy { abs($0) < 0.0085 }, "\(columnMeans.map(abs).max()!)")
        guard case let .values(small) = data.train.targets[0], case let .values(large) = data.train.targets[1] else {
            Issue.record("values expected"); return
        }
        #expect(small.shape == [2000, 100] && small.scalars.allSatisfy { abs($0) <= 1 })
        #expect(large.scalars.allSatisfy { abs($0) <= 100 } && large.scalars.map(abs).max()! > 50)
        // B (σ 10) dominates ε_t (σ 3.5): the two tasks' tanh arguments mostly agree in sign.
        let agree = zip(small.scalars, large.scalars).filter { ($0 > 0) == ($1 > 0) }.count
        #expect(Double(agree) / Double(small.count) > 0.75)
        // With zero-mean inputs no output has a constant part a head's bias could learn whatever the
        // weights: the per-output means carry almost none of E[y²] (with U(0, 1) inputs, about 60 %).
        let means = (0..<100).map { j in (0..<2000).reduce(0.0) { $0 + Double(small.scalars[$1 * 100 + j]) } / 2000 }
        let meanSquare = small.scalars.reduce(0.0) { $0 + Double($1 * $1) } / Double(small.count)
        #expect(means.reduce(0) { $0 + $1 * $1 } / 100 / meanSquare < 0.02)
        #expect(GradNormToy.make(scales: [1, 100], trainCount: 2000, validationCount: 20, testCount: 50, seed: 5) == data)
        #expect(GradNormToy.standardScales(tasks: 2) == [1, 100])
        #expect(GradNormToy.standardScales(tasks: 10).first == 1 && abs(GradNormToy.standardScales(tasks: 10).last! - 100) < 1e-9)
    }

    /// Validation and test come from streams of their own: neither the training set's size nor fresh
    /// batches change them; the data seed does.
    @Test func heldOutSplitsDoNotDependOnHowTrainingDrawsItsExamples() {
        let fixed = GradNormToy.make(scales: [1, 10, 100], trainCount: 64, validationCount: 30, testCount: 40, seed: 7)
        let fresh = GradNormToy.make(scales: [1, 10, 100], trainCount: 512, validationCount: 30, testCount: 40, seed: 7, freshBatches: true)
        #expect(fixed.validation == fresh.validation && fixed.test == fresh.test)
        #expect(fresh.freshBatches != nil && fresh.train.count == 512)
        let other = GradNormToy.make(scales: [1, 10, 100], trainCount: 64, validationCount: 30, testCount: 40, seed: 8)
        #expect(other.validation != fixed.validation && other.test != fixed.test)
    }

    /// A fresh batch is a function of the data seed, the run's seed and the step: the same arguments
    /// give the same batch, any other argument another; it is drawn like the fixed splits.
    @Test func freshBatchesAreDeterministicPerDataSeedRunSeedAndStep() throws {
        let toy = GradNormToy(scales: [1, 100], seed: 3)
        let batches = try #require(toy.splits(trainCount: 32, validationCount: 8, testCount: 8, freshBatches: true).freshBatches)
        let batch = batches.draw(1, 10, 16)
        #expect(batch.count == 16 && batch.targets.count == 2)
        #expect(batch == toy.freshBatch(runSeed: 1, step: 10, count: 16))
        #expect(batch == GradNormToy(scales: [1, 100], seed: 3).freshBatch(runSeed: 1, step: 10, count: 16))
        #expect(batch != batches.draw(1, 11, 16) && batch != batches.draw(2, 10, 16))
        #expect(batch != GradNormToy(scales: [1, 100], seed: 4).freshBatch(runSeed: 1, step: 10, count: 16))
        for row in 0..<16 {
            let x = (0..<250).map { Double(batch.inputs.scalars[row * 250 + $0]) }
            #expect(abs(x.reduce(0) { $0 + $1 * $1 } - 1) < 1e-4 && x.contains { $0 < 0 } && x.contains { $0 > 0 })
        }
        let single = batches.selecting(tasks: [1]).draw(1, 10, 16)
        #expect(single.inputs == batch.inputs && single.targets == [batch.targets[1]])
    }

    /// With fresh batches the trainer asks for one batch per step — the run's seed, steps 1…N, the
    /// batch size — and never samples the fixed training split.
    @Test func theTrainerTrainsOnFreshBatchesWhenTheDataHasThem() throws {
        let toy = GradNormToy(scales: [1, 10], seed: 2)
        let log = DrawLog()
        let fresh = FreshBatches(source: "logged") { runSeed, step, count in
            log.append(runSeed, step, count)
            return toy.freshBatch(runSeed: runSeed, step: step, count: count)
        }
        let fixed = toy.splits(trainCount: 16, validationCount: 8, testCount: 8)
        func train(_ data: DatasetSplits) throws -> Recorder {
            let tasks = ["a", "b"].map { TaskSpec(name: $0, kind: .regression(outputs: 100), loss: .meanSquaredError, kpi: .withinTolerance(0.1)) }
            var generator = SeededGenerator.stream(9, 1)
            let model = MultiTaskNetwork(NetworkSpec(input: .features(250), trunk: .mlp(widths: [8], activation: .relu, dropout: 0),
                                                     architecture: .hardSharing, headOutputs: [100, 100]), generator: &generator)
            let recorder = Recorder()
            try Trainer(model: model, tasks: tasks, data: data,
                        configuration: TrainingConfiguration(steps: 6, batchSize: 4, optimizer: .sgd(momentum: 0), learningRate: 0.01,
                                                             evaluationInterval: 3, seed: 9),
                        policy: FixedWeights(TaskWeights([1, 1])), hooks: [recorder]).run()
            return recorder
        }
        let freshRun = try train(DatasetSplits(train: fixed.train, validation: fixed.validation, test: fixed.test, freshBatches: fresh))
        #expect(log.calls.map(\.step) == Array(1...6) && log.calls.allSatisfy { $0.runSeed == 9 && $0.count == 4 })
        let fixedRun = try train(fixed)
        #expect(freshRun.steps.map(\.loss) != fixedRun.steps.map(\.loss))
        #expect(freshRun.evaluations.first == fixedRun.evaluations.first)  // same model, same validation split
    }
}

private final class DrawLog: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [(runSeed: UInt64, step: Int, count: Int)] = []
    var calls: [(runSeed: UInt64, step: Int, count: Int)] { lock.withLock { entries } }
    func append(_ runSeed: UInt64, _ step: Int, _ count: Int) { lock.withLock { entries.append((runSeed, step, count)) } }
}
