/// Mini-batches of example indices: a fresh seeded shuffle every epoch, the last partial batch dropped
/// (so every step sees `batchSize` examples and an epoch is `count / batchSize` steps).
public struct EpochSampler: Sendable {
    public let count: Int
    public let batchSize: Int
    private var generator: SeededGenerator
    private var order: [Int] = []
    private var position = 0

    public init(count: Int, batchSize: Int, generator: SeededGenerator) {
        precondition(batchSize > 0 && batchSize <= count, "EpochSampler: batch size \(batchSize) for \(count) examples")
        self.count = count
        self.batchSize = batchSize
        self.generator = generator
    }

    public var stepsPerEpoch: Int { count / batchSize }

    public mutating func nextBatch() -> [Int] {
        if position + batchSize > order.count {
            order = Array(0..<count)
            order.shuffle(using: &generator)
            position = 0
        }
        defer { position += batchSize }
        return Array(order[position..<position + batchSize])
    }
}
