import FulcrumCore
import Testing

@Suite("Data, sampling and KPIs")
struct DataAndKPITests {
    @Test func accuracyCountsArgmaxHits() {
        let output = Tensor(shape: [3, 3], scalars: [0.1, 0.9, 0, 2, 1, 0, 0, 0, 5])
        #expect(TaskKPI.accuracy.evaluate(output, .labels([1, 1, 2])) == 2.0 / 3)
    }

    @Test func binaryAccuracyThresholdsLogitsAtZero() {
        let output = Tensor(shape: [4, 1], scalars: [1, -2, 0.5, -0.1])
        #expect(TaskKPI.accuracy.evaluate(output, .values(Tensor(shape: [4, 1], scalars: [1, 0, 0, 1]))) == 0.5)
    }

    @Test func withinToleranceCountsElements() {
        let output = Tensor(shape: [2, 2], scalars: [0, 1, 2, 3])
        let targets = Tensor(shape: [2, 2], scalars: [0.2, 1.5, 2.3, 3])
        #expect(TaskKPI.withinTolerance(0.25).evaluate(output, .values(targets)) == 0.5)
    }

    @Test func samplerVisitsEveryExampleOncePerEpoch() {
        var sampler = EpochSampler(count: 10, batchSize: 3, generator: SeededGenerator(seed: 1))
        #expect(sampler.stepsPerEpoch == 3)
        for _ in 0..<2 {
            let epoch = (0..<3).flatMap { _ in sampler.nextBatch() }
            #expect(Set(epoch).count == 9 && epoch.allSatisfy { (0..<10).contains($0) })
        }
    }

    @Test func syntheticDataIsDeterministic() {
        let recipes = [SyntheticTaskRecipe(kind: .classification(classes: 4), noise: 0.1),
                       SyntheticTaskRecipe(kind: .regression(outputs: 2), noise: 0.1)]
        let a = SyntheticMultiTaskData.make(tasks: recipes, inputDimension: 6, clusters: 3, trainCount: 200, validationCount: 50, seed: 9)
        let b = SyntheticMultiTaskData.make(tasks: recipes, inputDimension: 6, clusters: 3, trainCount: 200, validationCount: 50, seed: 9)
        let c = SyntheticMultiTaskData.make(tasks: recipes, inputDimension: 6, clusters: 3, trainCount: 200, validationCount: 50, seed: 10)
        #expect(a == b)
        #expect(a.train.inputs != c.train.inputs)
    }

    /// Label noise p over C classes keeps a label with probability 1 − p + p/C. The training inputs do
    /// not depend on the noise (labels are drawn after them), so the noiseless labels of the same seed
    /// are the teacher's.
    @Test func labelNoiseReplacesTheAskedFraction() {
        func labels(noise: Double) -> [Int] {
            let splits = SyntheticMultiTaskData.make(tasks: [SyntheticTaskRecipe(kind: .classification(classes: 4), noise: noise)],
                                                     inputDimension: 6, clusters: 3, trainCount: 8000, validationCount: 10, seed: 9)
            guard case let .labels(labels) = splits.train.targets[0] else { return [] }
            return labels
        }
        let clean = labels(noise: 0), noisy = labels(noise: 0.5)
        #expect(Set(clean).count > 1, "labels must not be constant")
        let agreement = Double(zip(clean, noisy).filter { $0 == $1 }.count) / Double(clean.count)
        #expect(abs(agreement - (1 - 0.5 + 0.5 / 4)) < 0.02, "agreement \(agreement)")
    }
}
