/// Updates a fixed list of parameters from their accumulated gradients.
public protocol Optimizer: AnyObject {
    var parameters: [Variable] { get }
    /// One update with the given learning rate; parameters without a gradient are left alone.
    func step(learningRate: Float)
}

/// The optimizers a manifest can name.
public enum OptimizerKind: Sendable, Equatable {
    /// SGD with momentum; `weightDecay` adds λθ to the gradient (L2).
    case sgd(momentum: Float, weightDecay: Float = 0)
    /// Adam; `weightDecay` adds λθ to the gradient (L2, coupled with the adaptive scaling).
    case adam(beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float = 0)
    /// AdamW: Adam with weight decay decoupled from the gradient (Loshchilov & Hutter, ICLR 2019).
    case adamW(beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float)

    public func make(parameters: [Variable]) -> any Optimizer {
        switch self {
        case let .sgd(momentum, weightDecay):
            SGD(parameters: parameters, momentum: momentum, weightDecay: weightDecay)
        case let .adam(beta1, beta2, epsilon, weightDecay):
            Adam(parameters: parameters, beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay)
        case let .adamW(beta1, beta2, epsilon, weightDecay):
            Adam(parameters: parameters, beta1: beta1, beta2: beta2, epsilon: epsilon, decoupledWeightDecay: weightDecay)
        }
    }
}
