import Foundation

/// The regression toy of GradNorm (Chen et al., ICML 2018, §4): T tasks f_t(x) = σ_t · tanh((B + ε_t) x)
/// with a shared B ~ N(0, 10²) and task-specific ε_t ~ N(0, 3.5²) (100 × 250 each), so the tasks
/// share structure but differ in scale σ_t; trained with squared loss, judged by Σ_t L_t / L_t(0).
/// Inputs x are drawn uniformly from [0, 1]^250 and scaled to unit length (as the widely used
/// PyTorch reference does), which keeps (B + ε_t) x from saturating tanh everywhere.
public enum GradNormToy {
    public static let inputDimension = 250
    public static let outputDimension = 100

    /// The paper's two settings: T = 2 with σ = (1, 100), and T = 10 with σ spread over the same
    /// two orders of magnitude (10^(2t/9), t = 0…9: our choice, the paper does not list them).
    public static func standardScales(tasks: Int) -> [Double] {
        tasks == 2 ? [1, 100] : (0..<tasks).map { pow(10, 2 * Double($0) / Double(max(tasks - 1, 1))) }
    }

    /// One data set from `seed` (B, ε_t and the inputs all from it), split into train, validation, test.
    public static func make(scales: [Double], trainCount: Int, validationCount: Int, testCount: Int, seed: UInt64) -> DatasetSplits {
        var generator = SeededGenerator.stream(seed, 0x6AD)
        let shared = gaussian(count: outputDimension * inputDimension, standardDeviation: 10, &generator)
        // (B + ε_t)ᵀ, laid out [inputs, outputs] so that X · map gives every example's (B + ε_t) x at once.
        let maps = scales.map { _ in
            let map = zip(shared, gaussian(count: outputDimension * inputDimension, standardDeviation: 3.5, &generator)).map { Float($0 + $1) }
            return Tensor(shape: [inputDimension, outputDimension], scalars: (0..<inputDimension * outputDimension).map {
                map[($0 % outputDimension) * inputDimension + $0 / outputDimension]
            })
        }
        func split(_ count: Int) -> MultiTaskDataset {
            var inputs = [Float](repeating: 0, count: count * inputDimension)
            for example in 0..<count {
                let row = (0..<inputDimension).map { _ in generator.uniform() }
                let length = (row.reduce(0) { $0 + $1 * $1 }).squareRoot()
                for j in 0..<inputDimension { inputs[example * inputDimension + j] = Float(row[j] / length) }
            }
            let x = Tensor(shape: [count, inputDimension], scalars: inputs)
            let targets = zip(scales, maps).map { scale, map -> TaskTargets in
                .values(Tensor.matmul(x, map).mapped { Float(scale) * Foundation.tanh($0) })
            }
            return MultiTaskDataset(inputs: x, targets: targets)
        }
        let train = split(trainCount), validation = split(validationCount)
        return DatasetSplits(train: train, validation: validation, test: split(testCount))
    }

    private static func gaussian(count: Int, standardDeviation: Double, _ generator: inout SeededGenerator) -> [Double] {
        (0..<count).map { _ in generator.normal() * standardDeviation }
    }
}
