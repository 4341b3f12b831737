/// Updates a fixed list of parameters from their accumulated gradients.
public protocol Optimizer: AnyObject {
    var parameters: [Variable] { get }
    /// One update with the given learning rate; parameters without a gradient are left alone.
    func step(learningRate: Float)
}

extension Optimizer {
    /// Clears the gradients before the next backward pass.
    public func zeroGradients() {
        for parameter in parameters { parameter.grad = nil }
    }
}

/// The optimizers a manifest can name.
public enum OptimizerKind: Sendable, Equatable {
    case sgd(momentum: Float)
    case adam(beta1: Float, beta2: Float, epsilon: Float)

    public func make(parameters: [Variable]) -> any Optimizer {
        switch self {
        case let .sgd(momentum): SGD(parameters: parameters, momentum: momentum)
        case let .adam(beta1, beta2, epsilon): Adam(parameters: parameters, beta1: beta1, beta2: beta2, epsilon: epsilon)
        }
    }
}
