/// The DTP paper's architectures (Fig. 2) as one composition of blocks and linear heads:
/// hard sharing, the task hierarchy and UberNet differ only in which blocks each head reads.
public final class MultiTaskNetwork: MultiTaskModel {
    public let spec: NetworkSpec
    /// The trunk's chain of blocks; block p reads block p−1 (block 0 reads the input).
    public let blocks: [Sequential]
    /// UberNet's per-block normalisation (shared); empty for the other architectures.
    public let normalizations: [LayerNorm]
    /// For each task, the representations (indices into `representations`) its head reads.
    public let headInputs: [[Int]]
    public let heads: [Linear]

    public init(_ spec: NetworkSpec, generator: inout SeededGenerator) {
        let taskCount = spec.headOutputs.count
        blocks = Self.makeBlocks(spec, &generator)
        let blockWidths = Self.blockOutputWidths(blocks, input: spec.input)

        var normalizations: [LayerNorm] = []
        let representationWidths: [Int]
        switch spec.architecture {
        case .hardSharing:
            headInputs = Array(repeating: [0], count: taskCount)
            representationWidths = [blockWidths.last!]
        case let .taskHierarchy(order):
            precondition(blocks.count == taskCount && Set(order) == Set(0..<taskCount) && order.count == taskCount,
                         "MultiTaskNetwork: a task hierarchy needs one block per task and an order naming every task once")
            var inputs = Array(repeating: [Int](), count: taskCount)
            for (position, task) in order.enumerated() { inputs[task] = [position] }
            headInputs = inputs
            representationWidths = blockWidths
        case .ubernet:
            normalizations = blockWidths.map { LayerNorm(features: $0) }
            headInputs = Array(repeating: Array(blocks.indices), count: taskCount)
            representationWidths = blockWidths
        }
        self.normalizations = normalizations
        var heads: [Linear] = []
        for (task, outputs) in spec.headOutputs.enumerated() {
            let width = headInputs[task].map { representationWidths[$0] }.reduce(0, +)
            heads.append(Linear(inputs: width, outputs: outputs, generator: &generator))
        }
        self.heads = heads
        self.spec = spec
    }

    public var taskCount: Int { heads.count }

    public func representations(_ input: Variable, _ pass: ForwardPass) -> [Variable] {
        var x = input
        var outputs: [Variable] = []
        for block in blocks {
            x = block(x, pass)
            outputs.append(x)
        }
        switch spec.architecture {
        case .hardSharing: return [flatten(outputs.last!)]
        case .taskHierarchy: return outputs.map(flatten)
        case .ubernet: return zip(outputs, normalizations).map { output, norm in norm(output, pass) }
        }
    }

    public func outputs(_ representations: [Variable], _ pass: ForwardPass) -> [Variable] {
        zip(heads, headInputs).map { head, inputs in
            let read = inputs.map { representations[$0] }
            return head(read.count == 1 ? read[0] : concatenateColumns(read), pass)
        }
    }

    public var sharedParameters: [Variable] { blocks.flatMap(\.parameters) + normalizations.flatMap(\.parameters) }
    public var headParameters: [[Variable]] { heads.map(\.parameters) }

    public var lastSharedLayerParameters: [Variable] {
        if let norm = normalizations.last { return norm.parameters }
        return blocks.last!.layers.last { !$0.parameters.isEmpty }!.parameters
    }

    // MARK: Building

    private static func makeBlocks(_ spec: NetworkSpec, _ generator: inout SeededGenerator) -> [Sequential] {
        var blocks: [Sequential] = []
        switch spec.trunk {
        case let .mlp(widths, activation, rate):
            guard case let .features(inputs) = spec.input else { preconditionFailure("MultiTaskNetwork: an MLP trunk reads feature vectors") }
            var width = inputs
            for next in widths {
                blocks.append(Sequential(denseBlock(width, next, activation, rate, &generator)))
                width = next
            }
        case let .cnn(convolutions, fullyConnected, activation, rate):
            guard case let .image(height, width, channels) = spec.input else { preconditionFailure("MultiTaskNetwork: a CNN trunk reads images") }
            var (h, w, c) = (height, width, channels)
            for (index, block) in convolutions.enumerated() {
                var layers: [any Layer] = index == 0 ? [Reshape([height, width, channels])] : []
                layers.append(Convolution2D(inputChannels: c, filters: block.filters, kernel: block.kernel,
                                            padding: block.padding, generator: &generator))
                layers.append(Activation(activation))
                h = h + 2 * block.padding - block.kernel + 1
                w = w + 2 * block.padding - block.kernel + 1
                if block.pool > 1 {
                    layers.append(Pooling2D(block.poolKind, size: block.pool))
                    (h, w) = (h / block.pool, w / block.pool)
                }
                precondition(h > 0 && w > 0, "MultiTaskNetwork: convolution block \(index) leaves no pixels")
                c = block.filters
                blocks.append(Sequential(layers))
            }
            var features = convolutions.isEmpty ? height * width * channels : h * w * c
            for (index, next) in fullyConnected.enumerated() {
                let prefix: [any Layer] = index == 0 ? [Flatten()] : []
                blocks.append(Sequential(prefix + denseBlock(features, next, activation, rate, &generator)))
                features = next
            }
        }
        precondition(!blocks.isEmpty, "MultiTaskNetwork: the trunk needs at least one block")
        return blocks
    }

    private static func denseBlock(_ inputs: Int, _ outputs: Int, _ activation: Activation.Kind, _ rate: Float,
                                   _ generator: inout SeededGenerator) -> [any Layer] {
        var layers: [any Layer] = [Linear(inputs: inputs, outputs: outputs, generator: &generator), Activation(activation)]
        if rate > 0 { layers.append(Dropout(rate: rate)) }
        return layers
    }

    /// Flattened output width of each block, found by passing one example through.
    private static func blockOutputWidths(_ blocks: [Sequential], input: NetworkSpec.Input) -> [Int] {
        let features = switch input {
        case let .features(count): count
        case let .image(height, width, channels): height * width * channels
        }
        var x = Variable(Tensor(zeros: [1, features]))
        return blocks.map { block in
            x = block(x, .evaluation)
            return x.value.count
        }
    }
}
