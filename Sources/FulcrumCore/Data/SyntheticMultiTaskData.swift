import Foundation

/// One task of the synthetic data: its kind and how noisy its labels are.
public struct SyntheticTaskRecipe: Sendable, Equatable {
    public let kind: TaskKind
    /// Classification and binary: probability that a label is replaced by a uniformly random one.
    /// Regression: standard deviation of Gaussian noise added to the targets.
    public let noise: Double

    public init(kind: TaskKind, noise: Double) {
        self.kind = kind
        self.noise = noise
    }
}

/// Synthetic multi-task data whose tasks share structure but differ in difficulty by construction.
///
/// Inputs are a Gaussian mixture: x = μ_c + ε, with `clusters` centres μ_c ~ N(0, 2²I) and ε ~ N(0, I).
/// All tasks read one shared latent code h = tanh(x·A/√D), A ~ N(0, 1), of width `latentWidth`.
/// Task t has its own teacher V_t ~ N(0, 1) and score s_t = h·V_t/√latentWidth:
/// classification takes argmax s_t, binary s_t > 0, regression s_t itself; then the task's noise is
/// applied. More classes and more noise make a task harder; a shared trunk can learn h for all.
public enum SyntheticMultiTaskData {
    public static let latentWidth = 16

    public static func make(
        tasks: [SyntheticTaskRecipe], inputDimension: Int, clusters: Int,
        trainCount: Int, validationCount: Int, seed: UInt64
    ) -> DatasetSplits {
        precondition(inputDimension > 0 && clusters > 0, "SyntheticMultiTaskData: input dimension and clusters must be > 0")
        var generator = SeededGenerator.stream(seed, 0xDA7A)
        let centres = gaussian([clusters, inputDimension], scale: 2, &generator)
        let mixing = gaussian([inputDimension, latentWidth], scale: 1 / Double(inputDimension).squareRoot(), &generator)
        let teachers = tasks.map { gaussian([latentWidth, $0.kind.outputCount], scale: 1 / Double(latentWidth).squareRoot(), &generator) }

        func split(_ count: Int) -> MultiTaskDataset {
            var inputs = Tensor(zeros: [count, inputDimension])
            for row in 0..<count {
                let cluster = Int(generator.next() % UInt64(clusters))
                for column in 0..<inputDimension {
                    inputs[row, column] = centres[cluster, column] + Float(generator.normal())
                }
            }
            let latent = Tensor.matmul(inputs, mixing).mapped { Foundation.tanh($0) }
            let targets = zip(tasks, teachers).map { recipe, teacher in
                label(scores: Tensor.matmul(latent, teacher), recipe: recipe, &generator)
            }
            return MultiTaskDataset(inputs: inputs, targets: targets)
        }
        let train = split(trainCount)
        return DatasetSplits(train: train, validation: split(validationCount))
    }

    private static func label(scores: Tensor, recipe: SyntheticTaskRecipe, _ generator: inout SeededGenerator) -> TaskTargets {
        switch recipe.kind {
        case let .classification(classes):
            let labels = (0..<scores.rows).map { row -> Int in
                if generator.uniform() < recipe.noise { return Int(generator.next() % UInt64(classes)) }
                return (0..<classes).max { scores[row, $0] < scores[row, $1] }!
            }
            return .labels(labels)
        case .binary:
            let values = scores.scalars.map { score -> Float in
                if generator.uniform() < recipe.noise { return generator.uniform() < 0.5 ? 0 : 1 }
                return score > 0 ? 1 : 0
            }
            return .values(Tensor(shape: scores.shape, scalars: values))
        case .regression:
            return .values(scores.mapped { $0 + Float(recipe.noise * generator.normal()) })
        case .segmentation, .detection, .keypoints:
            preconditionFailure("SyntheticMultiTaskData makes classification, binary and regression tasks, not \(recipe.kind.name)")
        }
    }

    private static func gaussian(_ shape: [Int], scale: Double, _ generator: inout SeededGenerator) -> Tensor {
        Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in Float(scale * generator.normal()) })
    }
}
