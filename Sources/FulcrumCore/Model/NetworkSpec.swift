/// What to build: the input, the trunk's blocks, how heads are wired to them, and the heads' widths.
public struct NetworkSpec: Sendable, Equatable {
    public enum Input: Sendable, Equatable {
        case features(Int)
        /// Flat inputs read as [height, width, channels] images.
        case image(height: Int, width: Int, channels: Int)
    }

    /// The shared trunk as a chain of blocks.
    public enum Trunk: Sendable, Equatable {
        /// One block per width: Linear → activation (→ dropout).
        case mlp(widths: [Int], activation: Activation.Kind, dropout: Float)
        /// One block per convolution (Conv → activation → pooling), then one per fully connected width.
        case cnn(convolutions: [ConvolutionBlock], fullyConnected: [Int], activation: Activation.Kind, dropout: Float)
    }

    public struct ConvolutionBlock: Sendable, Equatable {
        public let filters: Int, kernel: Int, padding: Int
        /// Pooling window after the activation; 1 for none.
        public let pool: Int
        public let poolKind: Pooling2D.Kind

        public init(filters: Int, kernel: Int, padding: Int = 0, pool: Int = 2, poolKind: Pooling2D.Kind = .max) {
            (self.filters, self.kernel, self.padding, self.pool, self.poolKind) = (filters, kernel, padding, pool, poolKind)
        }
    }

    /// How heads read the blocks (DTP paper Fig. 2).
    public enum Architecture: Sendable, Equatable {
        /// (a) Every head reads the last block.
        case hardSharing
        /// (c) Block p feeds block p+1 and the head of task `order[p]`; needs one block per task.
        case taskHierarchy(order: [Int])
        /// (b) Every block feeds a normalisation layer; every head reads all of them.
        case ubernet

        public var name: String {
            switch self {
            case .hardSharing: "hard_sharing"
            case .taskHierarchy: "task_hierarchy"
            case .ubernet: "ubernet"
            }
        }
    }

    public let input: Input
    public let trunk: Trunk
    public let architecture: Architecture
    public let headOutputs: [Int]

    public init(input: Input, trunk: Trunk, architecture: Architecture, headOutputs: [Int]) {
        self.input = input
        self.trunk = trunk
        self.architecture = architecture
        self.headOutputs = headOutputs
    }

    public var blockCount: Int {
        switch trunk {
        case let .mlp(widths, _, _): widths.count
        case let .cnn(convolutions, fullyConnected, _, _): convolutions.count + fullyConnected.count
        }
    }
}
