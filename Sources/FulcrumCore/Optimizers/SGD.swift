/// Stochastic gradient descent with (heavy-ball) momentum and L2 weight decay, as PyTorch:
/// g ← g + λθ;  v ← μ·v + g;  θ ← θ − lr·v.
public final class SGD: Optimizer {
    public let parameters: [Variable]
    public let momentum: Float
    public let weightDecay: Float
    private var velocity: [[Float]]

    public init(parameters: [Variable], momentum: Float = 0, weightDecay: Float = 0) {
        self.parameters = parameters
        self.momentum = momentum
        self.weightDecay = weightDecay
        self.velocity = parameters.map { [Float](repeating: 0, count: $0.value.count) }
    }

    public func step(learningRate: Float) {
        let (mu, lambda) = (momentum, weightDecay)
        for (index, parameter) in parameters.enumerated() {
            guard let gradient = parameter.grad else { continue }
            parameter.updateScalars { value in
                value.withUnsafeMutableBufferPointer { theta in
                    velocity[index].withUnsafeMutableBufferPointer { v in
                        gradient.scalars.withUnsafeBufferPointer { g in
                            for i in 0..<theta.count {
                                v[i] = mu * v[i] + g[i] + lambda * theta[i]
                                theta[i] -= learningRate * v[i]
                            }
                        }
                    }
                }
            }
        }
    }
}
