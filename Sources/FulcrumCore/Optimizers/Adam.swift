import Foundation

/// Adam (Kingma & Ba, ICLR 2015) with bias correction:
/// m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  θ ← θ − lr · m̂ / (√v̂ + ε).
public final class Adam: Optimizer {
    public let parameters: [Variable]
    public let beta1: Float, beta2: Float, epsilon: Float
    private var firstMoment: [[Float]]
    private var secondMoment: [[Float]]
    private var stepCount = 0

    public init(parameters: [Variable], beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8) {
        self.parameters = parameters
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        firstMoment = parameters.map { [Float](repeating: 0, count: $0.value.count) }
        secondMoment = firstMoment
    }

    public func step(learningRate: Float) {
        stepCount += 1
        let correction1 = 1 - pow(beta1, Float(stepCount))
        let correction2 = 1 - pow(beta2, Float(stepCount))
        for (index, parameter) in parameters.enumerated() {
            guard let gradient = parameter.grad else { continue }
            parameter.updateScalars { value in
                for i in 0..<value.count {
                    let g = gradient.scalars[i]
                    firstMoment[index][i] = beta1 * firstMoment[index][i] + (1 - beta1) * g
                    secondMoment[index][i] = beta2 * secondMoment[index][i] + (1 - beta2) * g * g
                    let mHat = firstMoment[index][i] / correction1
                    let vHat = secondMoment[index][i] / correction2
                    value[i] -= learningRate * mHat / (vHat.squareRoot() + epsilon)
                }
            }
        }
    }
}
