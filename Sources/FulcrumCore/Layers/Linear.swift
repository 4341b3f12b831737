/// y = x · W + b, with W of shape [inputs, outputs]. Initialised as PyTorch's default:
/// W, b ~ U(−1/√inputs, 1/√inputs).
public final class Linear: Layer {
    public let weight: Variable
    public let bias: Variable

    public init(inputs: Int, outputs: Int, generator: inout SeededGenerator) {
        precondition(inputs > 0 && outputs > 0, "Linear: \(inputs) inputs and \(outputs) outputs, expected both > 0")
        let bound = 1 / Float(inputs).squareRoot()
        func uniform(_ count: Int) -> [Float] {
            (0..<count).map { _ in Float(2 * generator.uniform() - 1) * bound }
        }
        weight = Variable(Tensor(shape: [inputs, outputs], scalars: uniform(inputs * outputs)), requiresGrad: true)
        bias = Variable(Tensor(shape: [outputs], scalars: uniform(outputs)), requiresGrad: true)
    }

    public func callAsFunction(_ input: Variable) -> Variable {
        addingRowVector(matmul(input, weight), bias)
    }

    public var parameters: [Variable] { [weight, bias] }
}
