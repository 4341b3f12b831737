/// A module in the Torch7 `nn` sense: a function of one input with its own parameters.
/// Containers compose layers; trunks and heads are compositions of the same few pieces.
public protocol Layer: AnyObject {
    func callAsFunction(_ input: Variable, _ pass: ForwardPass) -> Variable
    /// The trainable leaves, in a fixed order (optimizer state is aligned with it).
    var parameters: [Variable] { get }
}

extension Layer {
    /// An evaluation pass (no dropout).
    public func callAsFunction(_ input: Variable) -> Variable { self(input, .evaluation) }
}

/// What a forward pass is for. Training passes apply dropout, drawing masks from the run's seeded
/// generator; evaluation passes are deterministic and draw nothing.
public final class ForwardPass {
    public let isTraining: Bool
    public var generator: SeededGenerator

    public init(isTraining: Bool, generator: SeededGenerator) {
        self.isTraining = isTraining
        self.generator = generator
    }

    public static var evaluation: ForwardPass { ForwardPass(isTraining: false, generator: SeededGenerator(seed: 0)) }
}

/// Layers applied one after another.
public final class Sequential: Layer {
    public let layers: [any Layer]

    public init(_ layers: [any Layer]) { self.layers = layers }

    public func callAsFunction(_ input: Variable, _ pass: ForwardPass) -> Variable {
        layers.reduce(input) { x, layer in layer(x, pass) }
    }

    public var parameters: [Variable] { layers.flatMap(\.parameters) }
}
