import Foundation

/// The regression toy of GradNorm (Chen, Badrinarayanan, Lee, Rabinovich, ICML 2018, §4): T tasks
/// f_t(x) = σ_t · tanh((B + ε_t) x), x ∈ ℝ²⁵⁰, f_t(x) ∈ ℝ¹⁰⁰, with a shared B and a task-specific ε_t
/// (100 × 250 each), so the tasks share structure but differ in scale σ_t; trained with squared loss,
/// judged by Σ_t L_t / L_t(0).
///
/// What the paper leaves open, and what we chose:
/// - "B ~ N(0, 10), ε_t ~ N(0, 3.5)": standard deviations 10 and 3.5, as the public ports draw them
///   (`np.random.normal(scale=10)` and `scale=3.5` in brianlan/pytorch-grad-norm, dataset.py and
///   train.py, and in LucasBoTang/GradNorm, data.py).
/// - The inputs: the paper does not say. brianlan/pytorch-grad-norm (dataset.py, `__getitem__`) draws
///   each x from U(−1, 1)²⁵⁰ and scales it to unit length, anew for every example it serves, so every
///   batch is fresh. We draw the same zero-mean, unit-length x. (LucasBoTang/GradNorm, data.py, draws
///   a fixed set from U(0, 1)²⁵⁰ without scaling. With inputs of non-zero mean, U(0, 1)²⁵⁰ scaled or
///   not, about 60 % of E[y²] is a constant per output that each head's bias learns whatever the task
///   weights; with zero-mean inputs none is.)
/// - A fixed training set or a fresh draw per batch: both (`freshBatch`, the manifest's
///   `fresh_batches`). A fresh batch is a function of the data seed, the run's seed and the step.
/// - The validation and test splits are fixed draws of their own streams, the same whatever the
///   training set's size or whether batches are fresh.
public struct GradNormToy: Sendable {
    public static let inputDimension = 250
    public static let outputDimension = 100

    /// σ_t, one per task.
    public let scales: [Double]
    /// The data seed: B, ε_t and every split come from it.
    public let seed: UInt64
    /// (B + ε_t)ᵀ per task, laid out [inputs, outputs] so that X · map gives every example's (B + ε_t) x at once.
    private let maps: [Tensor]

    /// The paper's two settings: T = 2 with σ = (1, 100), and T = 10 with σ spread over the same
    /// two orders of magnitude (10^(2t/9), t = 0…9: our choice, the paper does not list them).
    public static func standardScales(tasks: Int) -> [Double] {
        tasks == 2 ? [1, 100] : (0..<tasks).map { pow(10, 2 * Double($0) / Double(max(tasks - 1, 1))) }
    }

    /// The problem of data seed `seed`: B ~ N(0, 10²) and ε_t ~ N(0, 3.5²) elementwise.
    public init(scales: [Double], seed: UInt64) {
        self.scales = scales
        self.seed = seed
        var generator = SeededGenerator.stream(seed, Stream.maps)
        let shared = Self.gaussian(count: Self.outputDimension * Self.inputDimension, standardDeviation: 10, &generator)
        let (inputs, outputs) = (Self.inputDimension, Self.outputDimension)
        maps = scales.map { _ in
            let map = zip(shared, Self.gaussian(count: outputs * inputs, standardDeviation: 3.5, &generator)).map { Float($0 + $1) }
            return Tensor(shape: [inputs, outputs], scalars: (0..<inputs * outputs).map { map[($0 % outputs) * inputs + $0 / outputs] })
        }
    }

    /// One data set from `seed`, split into train, validation, test; with `freshBatches`, training
    /// draws a new batch at every step (`freshBatch`) and the fixed training split only sets the
    /// length of an epoch.
    public static func make(scales: [Double], trainCount: Int, validationCount: Int, testCount: Int, seed: UInt64,
                            freshBatches: Bool = false) -> DatasetSplits {
        GradNormToy(scales: scales, seed: seed).splits(trainCount: trainCount, validationCount: validationCount, testCount: testCount,
                                                       freshBatches: freshBatches)
    }

    public func splits(trainCount: Int, validationCount: Int, testCount: Int, freshBatches: Bool = false) -> DatasetSplits {
        func split(_ count: Int, _ stream: UInt64) -> MultiTaskDataset {
            var generator = SeededGenerator.stream(seed, stream)
            return examples(count, using: &generator)
        }
        let fresh = freshBatches ? FreshBatches(source: "gradnorm_toy seed \(seed) scales \(scales)") { [self] runSeed, step, count in
            freshBatch(runSeed: runSeed, step: step, count: count)
        } : nil
        return DatasetSplits(train: split(trainCount, Stream.train), validation: split(validationCount, Stream.validation),
                             test: split(testCount, Stream.test), freshBatches: fresh)
    }

    /// The batch that the run of seed `runSeed` trains on at `step` when batches are fresh: `count`
    /// new examples from a stream of the data seed, the run's seed and the step alone, so the runs of
    /// every policy with the same seed see the same batches, and a rerun sees them again.
    public func freshBatch(runSeed: UInt64, step: Int, count: Int) -> MultiTaskDataset {
        var keys = SeededGenerator.stream(seed, Stream.fresh ^ (runSeed &* 0xD1B5_4A32_D192_ED03))
        var generator = SeededGenerator.stream(keys.next(), UInt64(step))
        return examples(count, using: &generator)
    }

    /// `count` examples: x uniform on [−1, 1]²⁵⁰ scaled to unit length, y_t = σ_t tanh((B + ε_t) x).
    public func examples(_ count: Int, using generator: inout SeededGenerator) -> MultiTaskDataset {
        let dimension = Self.inputDimension
        var inputs = [Float](repeating: 0, count: count * dimension)
        var row = [Double](repeating: 0, count: dimension)
        for example in 0..<count {
            for j in 0..<dimension { row[j] = 2 * generator.uniform() - 1 }
            let length = row.reduce(0) { $0 + $1 * $1 }.squareRoot()
            for j in 0..<dimension { inputs[example * dimension + j] = Float(row[j] / length) }
        }
        let x = Tensor(shape: [count, dimension], scalars: inputs)
        let targets = zip(scales, maps).map { scale, map -> TaskTargets in
            .values(Tensor.matmul(x, map).mapped { Float(scale) * Foundation.tanh($0) })
        }
        return MultiTaskDataset(inputs: x, targets: targets)
    }

    /// Independent streams of the data seed, one per use.
    private enum Stream {
        static let maps: UInt64 = 0x6AD
        static let train: UInt64 = 0x6AD_0001
        static let validation: UInt64 = 0x6AD_0002
        static let test: UInt64 = 0x6AD_0003
        static let fresh: UInt64 = 0x6AD_0004
    }

    private static func gaussian(count: Int, standardDeviation: Double, _ generator: inout SeededGenerator) -> [Double] {
        (0..<count).map { _ in generator.normal() * standardDeviation }
    }
}
