/// [batch, …] → [batch, features].
public final class Flatten: Layer {
    public init() {}
    public func callAsFunction(_ input: Variable, _ pass: ForwardPass) -> Variable { flatten(input) }
    public var parameters: [Variable] { [] }
}

/// [batch, features] → [batch] + `shape` (e.g. flat pixels to [batch, height, width, channels]).
public final class Reshape: Layer {
    public let shape: [Int]
    public init(_ shape: [Int]) { self.shape = shape }
    public func callAsFunction(_ input: Variable, _ pass: ForwardPass) -> Variable { reshape(input, [input.shape[0]] + shape) }
    public var parameters: [Variable] { [] }
}

/// Inverted dropout while training; the identity when evaluating.
public final class Dropout: Layer {
    public let rate: Float
    public init(rate: Float) {
        precondition(rate >= 0 && rate < 1, "Dropout: rate \(rate), expected 0 ≤ rate < 1")
        self.rate = rate
    }
    public func callAsFunction(_ input: Variable, _ pass: ForwardPass) -> Variable {
        pass.isTraining && rate > 0 ? dropout(input, rate: rate, generator: &pass.generator) : input
    }
    public var parameters: [Variable] { [] }
}

/// Layer normalisation of each row's features with a learned gain (init 1) and bias (init 0).
public final class LayerNorm: Layer {
    public let gain: Variable
    public let bias: Variable
    public init(features: Int) {
        gain = Variable(Tensor(repeating: 1, shape: [features]), requiresGrad: true)
        bias = Variable(Tensor(zeros: [features]), requiresGrad: true)
    }
    public func callAsFunction(_ input: Variable, _ pass: ForwardPass) -> Variable { layerNorm(flatten(input), gain: gain, bias: bias) }
    public var parameters: [Variable] { [gain, bias] }
}
