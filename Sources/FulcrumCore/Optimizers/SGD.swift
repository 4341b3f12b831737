/// Stochastic gradient descent with (heavy-ball) momentum, as PyTorch:
/// v ← μ·v + g;  θ ← θ − lr·v.
public final class SGD: Optimizer {
    public let parameters: [Variable]
    public let momentum: Float
    private var velocity: [[Float]]

    public init(parameters: [Variable], momentum: Float = 0) {
        self.parameters = parameters
        self.momentum = momentum
        self.velocity = parameters.map { [Float](repeating: 0, count: $0.value.count) }
    }

    public func step(learningRate: Float) {
        for (index, parameter) in parameters.enumerated() {
            guard let gradient = parameter.grad else { continue }
            parameter.updateScalars { value in
                for i in 0..<value.count {
                    velocity[index][i] = momentum * velocity[index][i] + gradient.scalars[i]
                    value[i] -= learningRate * velocity[index][i]
                }
            }
        }
    }
}
