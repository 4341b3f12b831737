/// A module in the Torch7 `nn` sense: a function of one input with its own parameters.
/// Containers compose layers; trunks and heads are compositions of the same few pieces.
public protocol Layer: AnyObject {
    func callAsFunction(_ input: Variable) -> Variable
    /// The trainable leaves, in a fixed order (optimizer state is aligned with it).
    var parameters: [Variable] { get }
}

/// Layers applied one after another.
public final class Sequential: Layer {
    public let layers: [any Layer]

    public init(_ layers: [any Layer]) { self.layers = layers }

    public func callAsFunction(_ input: Variable) -> Variable {
        layers.reduce(input) { x, layer in layer(x) }
    }

    public var parameters: [Variable] { layers.flatMap(\.parameters) }
}
