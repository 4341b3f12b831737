@testable import FulcrumCore
import Testing

@Suite("Optimizers")
struct OptimizerTests {
    @Test func sgdWithMomentumFollowsHeavyBall() {
        let parameter = Variable(Tensor(shape: [2], scalars: [1, -1]), requiresGrad: true)
        let sgd = SGD(parameters: [parameter], momentum: 0.9)
        parameter.grad = Tensor(shape: [2], scalars: [0.5, 2])
        sgd.step(learningRate: 0.1)       // v = g;          θ = θ − 0.1 v
        sgd.step(learningRate: 0.1)       // v = 0.9 g + g;  θ = θ − 0.1 v
        #expect(abs(parameter.value.scalars[0] - (1 - 0.1 * 0.5 - 0.1 * 0.95)) < 1e-6)
        #expect(abs(parameter.value.scalars[1] - (-1 - 0.1 * 2 - 0.1 * 3.8)) < 1e-6)
    }

    @Test func adamTakesBiasCorrectedSteps() {
        let parameter = Variable(Tensor(shape: [2], scalars: [0, 0]), requiresGrad: true)
        let adam = Adam(parameters: [parameter])
        parameter.grad = Tensor(shape: [2], scalars: [0.3, -4])
        adam.step(learningRate: 0.01)     // m̂ = g, v̂ = g²: the first step is lr · sign(g)
        #expect(abs(parameter.value.scalars[0] + 0.01) < 1e-6)
        #expect(abs(parameter.value.scalars[1] - 0.01) < 1e-6)
        parameter.grad = Tensor(shape: [2], scalars: [0.1, -4])
        adam.step(learningRate: 0.01)
        let m = 0.9 * 0.1 * 0.3 + 0.1 * 0.1, v = 0.999 * 0.001 * 0.09 + 0.001 * 0.01
        let expected = -0.01 - 0.01 * (m / (1 - 0.81)) / ((v / (1 - 0.998001)).squareRoot() + 1e-8)
        #expect(abs(Double(parameter.value.scalars[0]) - expected) < 1e-6)
    }

    /// After one gradient and 1 000 zero ones, m = 0.1 · 0.9^999 ≈ 10⁻⁴⁷ would round to the smallest
    /// subnormal and stay there; it is stored as 0 (and every moment is 0 or normal), in the eight-lane
    /// loop and the tail alike.
    @Test func adamFlushesSubnormalMoments() {
        let parameter = Variable(Tensor(shape: [9], scalars: Array(repeating: 0.5, count: 9)), requiresGrad: true)
        let adam = Adam(parameters: [parameter])
        parameter.grad = Tensor(shape: [9], scalars: Array(repeating: 1, count: 9))
        adam.step(learningRate: 0.001)
        parameter.grad = Tensor(shape: [9], scalars: Array(repeating: 0, count: 9))
        for _ in 0..<1000 { adam.step(learningRate: 0.001) }
        #expect(adam.firstMoment[0] == Array(repeating: 0, count: 9))
        #expect(adam.secondMoment[0].allSatisfy { $0 == 0 || $0.isNormal })
        #expect(adam.secondMoment[0].allSatisfy { $0 > 0 })   // 0.001 · 0.999^1000 ≈ 3.7 · 10⁻⁴: still normal
    }

    @Test func parametersWithoutGradientStayPut() {
        let parameter = Variable(Tensor(shape: [1], scalars: [3]), requiresGrad: true)
        Adam(parameters: [parameter]).step(learningRate: 1)
        #expect(parameter.value.scalars == [3])
    }
}
