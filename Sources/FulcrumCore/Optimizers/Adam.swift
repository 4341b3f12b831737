import Foundation

/// Adam (Kingma & Ba, ICLR 2015) with bias correction, and optionally weight decay:
/// g ← g + λ₂θ (coupled, L2);  m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;
/// θ ← θ − lr · (m̂ / (√v̂ + ε) + λθ)  (decoupled, AdamW when λ > 0).
public final class Adam: Optimizer {
    public let parameters: [Variable]
    public let beta1: Float, beta2: Float, epsilon: Float
    public let weightDecay: Float
    public let decoupledWeightDecay: Float
    private var firstMoment: [[Float]]
    private var secondMoment: [[Float]]
    private var stepCount = 0

    public init(parameters: [Variable], beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
                weightDecay: Float = 0, decoupledWeightDecay: Float = 0) {
        self.parameters = parameters
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.decoupledWeightDecay = decoupledWeightDecay
        firstMoment = parameters.map { [Float](repeating: 0, count: $0.value.count) }
        secondMoment = firstMoment
    }

    public func step(learningRate: Float) {
        stepCount += 1
        let (b1, b2, eps, l2, decoupled) = (beta1, beta2, epsilon, weightDecay, decoupledWeightDecay)
        let correction1 = 1 - pow(b1, Float(stepCount))
        let correction2 = 1 - pow(b2, Float(stepCount))
        for (index, parameter) in parameters.enumerated() {
            guard let gradient = parameter.grad else { continue }
            parameter.updateScalars { value in
                value.withUnsafeMutableBufferPointer { theta in
                    firstMoment[index].withUnsafeMutableBufferPointer { m in
                        secondMoment[index].withUnsafeMutableBufferPointer { v in
                            gradient.scalars.withUnsafeBufferPointer { g in
                                for i in 0..<theta.count {
                                    let gi = g[i] + l2 * theta[i]
                                    m[i] = b1 * m[i] + (1 - b1) * gi
                                    v[i] = b2 * v[i] + (1 - b2) * gi * gi
                                    let update = (m[i] / correction1) / ((v[i] / correction2).squareRoot() + eps)
                                    theta[i] -= learningRate * (update + decoupled * theta[i])
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
