/// y = x · W + b, with W of shape [inputs, outputs]. Initialised as PyTorch's default:
/// W, b ~ U(−1/√inputs, 1/√inputs).
public final class Linear: Layer {
    public let weight: Variable
    public let bias: Variable

    public init(inputs: Int, outputs: Int, generator: inout SeededGenerator) {
        precondition(inputs > 0 && outputs > 0, "Linear: \(inputs) inputs and \(outputs) outputs, expected both > 0")
        weight = Variable(uniformInitialisation([inputs, outputs], fanIn: inputs, &generator), requiresGrad: true)
        bias = Variable(uniformInitialisation([outputs], fanIn: inputs, &generator), requiresGrad: true)
    }

    public func callAsFunction(_ input: Variable, _ pass: ForwardPass) -> Variable {
        addingRowVector(matmul(input, weight), bias)
    }

    public var parameters: [Variable] { [weight, bias] }
}

/// U(−1/√fanIn, 1/√fanIn), PyTorch's default for linear and convolution layers.
func uniformInitialisation(_ shape: [Int], fanIn: Int, _ generator: inout SeededGenerator) -> Tensor {
    let bound = 1 / Float(fanIn).squareRoot()
    return Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in Float(2 * generator.uniform() - 1) * bound })
}
