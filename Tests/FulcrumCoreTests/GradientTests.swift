import FulcrumCore
import Testing

/// Every differentiable op and loss against finite differences. Non-scalar ops are reduced with
/// a fixed random projection Σ R ⊙ op(x), so every output element's gradient path is exercised.
@Suite("Finite-difference gradients")
struct GradientTests {
    func projected(_ x: Variable) -> Variable { sum(x * Variable(sampleTensor(x.shape, seed: 99))) }

    @Test func addition() {
        expectGradientsMatchFiniteDifferences([sampleTensor([3, 4], seed: 1), sampleTensor([3, 4], seed: 2)]) { v in
            projected(v[0] + v[1])
        }
    }

    @Test func subtraction() {
        expectGradientsMatchFiniteDifferences([sampleTensor([3, 4], seed: 3), sampleTensor([3, 4], seed: 4)]) { v in
            projected(v[0] - v[1])
        }
    }

    @Test func elementwiseProduct() {
        expectGradientsMatchFiniteDifferences([sampleTensor([3, 4], seed: 5), sampleTensor([3, 4], seed: 6)]) { v in
            projected(v[0] * v[1])
        }
    }

    @Test func constantScaling() {
        expectGradientsMatchFiniteDifferences([sampleTensor([3, 4], seed: 7)]) { v in projected(2.5 * v[0]) }
    }

    @Test func rowVectorBias() {
        expectGradientsMatchFiniteDifferences([sampleTensor([3, 4], seed: 8), sampleTensor([4], seed: 9)]) { v in
            projected(addingRowVector(v[0], v[1]))
        }
    }

    @Test func sumAndMean() {
        expectGradientsMatchFiniteDifferences([sampleTensor([3, 4], seed: 10)]) { v in sum(v[0] * v[0]) }
        expectGradientsMatchFiniteDifferences([sampleTensor([3, 4], seed: 11)]) { v in mean(v[0] * v[0]) }
    }

    @Test(arguments: [([3, 5], [5, 4]), ([1, 7], [7, 4]), ([3, 1], [1, 4])])
    func matrixProduct(shapes: ([Int], [Int])) {
        expectGradientsMatchFiniteDifferences([sampleTensor(shapes.0, seed: 12), sampleTensor(shapes.1, seed: 13)]) { v in
            projected(matmul(v[0], v[1]))
        }
    }

    @Test func relu() {
        expectGradientsMatchFiniteDifferences([sampleTensor([3, 4], seed: 14, scale: 2, margin: 0.1)]) { v in
            projected(FulcrumCore.relu(v[0]))
        }
    }

    @Test func tanh() {
        expectGradientsMatchFiniteDifferences([sampleTensor([3, 4], seed: 15, scale: 2)]) { v in projected(FulcrumCore.tanh(v[0])) }
    }

    @Test func sigmoid() {
        expectGradientsMatchFiniteDifferences([sampleTensor([3, 4], seed: 16, scale: 3)]) { v in projected(FulcrumCore.sigmoid(v[0])) }
    }

    @Test func softmaxCrossEntropyLoss() {
        expectGradientsMatchFiniteDifferences([sampleTensor([5, 4], seed: 17, scale: 3)]) { v in
            softmaxCrossEntropy(v[0], labels: [0, 3, 1, 1, 2])
        }
    }

    @Test func binaryCrossEntropyLoss() {
        let targets = Tensor(shape: [4, 2], scalars: [1, 0, 0, 1, 1, 1, 0, 0.3])
        expectGradientsMatchFiniteDifferences([sampleTensor([4, 2], seed: 18, scale: 4)]) { v in
            binaryCrossEntropyWithLogits(v[0], targets: targets)
        }
    }

    @Test func meanSquaredErrorLoss() {
        let targets = sampleTensor([4, 3], seed: 19)
        expectGradientsMatchFiniteDifferences([sampleTensor([4, 3], seed: 20)]) { v in
            meanSquaredError(v[0], targets: targets)
        }
    }

    /// A whole two-layer network with a bias, a nonlinearity and a loss, through every parameter.
    @Test func composedNetwork() {
        let inputs = sampleTensor([6, 3], seed: 21)
        expectGradientsMatchFiniteDifferences(
            [sampleTensor([3, 5], seed: 22), sampleTensor([5], seed: 23), sampleTensor([5, 4], seed: 24)]
        ) { v in
            let hidden = FulcrumCore.tanh(addingRowVector(matmul(Variable(inputs), v[0]), v[1]))
            return softmaxCrossEntropy(matmul(hidden, v[2]), labels: [0, 1, 2, 3, 0, 1])
        }
    }

    /// A node used twice accumulates both gradient contributions.
    @Test func reusedNodeAccumulates() {
        expectGradientsMatchFiniteDifferences([sampleTensor([3, 4], seed: 25)]) { v in
            let y = FulcrumCore.tanh(v[0])
            return sum(y * y + y)
        }
    }
}
