/// Hard parameter sharing (DTP paper Fig. 2a): one trunk whose last layer — the "critical layer"
/// every task pulls on — feeds one linear head per task.
public final class HardSharingModel: MultiTaskModel {
    public let trunk: Sequential
    public let heads: [Linear]

    /// An MLP trunk `inputs → widths[0] → … → widths.last` with `activation` after every layer,
    /// then heads of `headOutputs[t]` units.
    public init(inputs: Int, trunkWidths: [Int], activation: Activation.Kind, headOutputs: [Int],
                generator: inout SeededGenerator) {
        precondition(!trunkWidths.isEmpty, "HardSharingModel: the trunk needs at least one layer")
        var layers: [any Layer] = []
        var width = inputs
        for next in trunkWidths {
            layers.append(Linear(inputs: width, outputs: next, generator: &generator))
            layers.append(Activation(activation))
            width = next
        }
        trunk = Sequential(layers)
        var heads: [Linear] = []
        for outputs in headOutputs { heads.append(Linear(inputs: width, outputs: outputs, generator: &generator)) }
        self.heads = heads
    }

    public var taskCount: Int { heads.count }

    public func callAsFunction(_ input: Variable) -> [Variable] {
        let representation = trunk(input)
        return heads.map { $0(representation) }
    }

    public var sharedParameters: [Variable] { trunk.parameters }
    public var headParameters: [[Variable]] { heads.map(\.parameters) }
}
