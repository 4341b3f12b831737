/// A parameter-free element-wise nonlinearity as a layer.
public final class Activation: Layer {
    public enum Kind: String, Sendable, CaseIterable {
        case relu, tanh, sigmoid, gelu
    }

    public let kind: Kind

    public init(_ kind: Kind) { self.kind = kind }

    public func callAsFunction(_ input: Variable, _ pass: ForwardPass) -> Variable {
        switch kind {
        case .relu: relu(input)
        case .tanh: tanh(input)
        case .sigmoid: sigmoid(input)
        case .gelu: gelu(input)
        }
    }

    public var parameters: [Variable] { [] }
}
