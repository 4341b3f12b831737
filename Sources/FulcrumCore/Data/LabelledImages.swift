/// Grey-scale images with one class label each, as an IDX data set stores them (Fashion-MNIST:
/// 28×28 pixels 0…255, labels 0…9). The scene generators compose new tasks from them.
public struct LabelledImages: Sendable, Equatable {
    /// Row-major pixels, `count × rows × columns`, 0 (background) … 255.
    public let pixels: [UInt8]
    public let rows: Int
    public let columns: Int
    public let labels: [Int]

    public var count: Int { labels.count }

    public init(pixels: [UInt8], rows: Int, columns: Int, labels: [Int]) {
        precondition(pixels.count == labels.count * rows * columns,
                     "LabelledImages: \(pixels.count) pixels for \(labels.count) images of \(rows)×\(columns)")
        self.pixels = pixels
        self.rows = rows
        self.columns = columns
        self.labels = labels
    }

    /// Pixel (`row`, `column`) of image `index`.
    @inlinable
    public func pixel(_ index: Int, _ row: Int, _ column: Int) -> UInt8 {
        pixels[(index * rows + row) * columns + column]
    }
}
