/// One Fashion scene: a Fashion-MNIST item at a random position and scale on a larger canvas, with
/// optional clutter, and the four things a model can be asked about it (the DTP paper's task
/// hierarchy on one image): its class, its mask, its box and its four extreme points.
public struct FashionScene: Sendable, Equatable {
    /// Canvas pixels in [0, 1], row-major, `canvas × canvas`.
    public let pixels: [Float]
    public let label: Int
    /// The item's pixels (brighter than the threshold after resampling), row-major.
    public let mask: [Bool]
    /// (x0, y0, x1, y1) of the mask's extent, in [0, 1]: pixel column c spans [c, c+1)/canvas.
    public let box: [Float]
    /// The leftmost, topmost, rightmost and bottommost mask pixels' centres, (x, y) each, in [0, 1].
    public let keypoints: [Float]

    /// How scenes are drawn.
    public struct Recipe: Sendable, Equatable {
        /// Canvas side in pixels.
        public var canvas = 40
        /// The item's side as a fraction of its 28 pixels, drawn uniformly from this range.
        public var scale: ClosedRange<Double> = 0.6...1.0
        /// Distractors drawn dimmer behind the item.
        public var clutter = 0
        /// What a distractor is.
        public var clutterKind = ClutterKind.items
        /// Side of a clutter patch, in pixels (the largest diameter of a blob).
        public var clutterSize = 8
        /// Resampled intensity above which a pixel belongs to the item's mask.
        public var maskThreshold: Float = 0.1
        /// Which class a scene's label names.
        public var labels = Labels.fine

        public init(canvas: Int = 40, scale: ClosedRange<Double> = 0.6...1.0, clutter: Int = 0, clutterKind: ClutterKind = .items,
                    clutterSize: Int = 8, maskThreshold: Float = 0.1, labels: Labels = .fine) {
            self.canvas = canvas
            self.scale = scale
            self.clutter = clutter
            self.clutterKind = clutterKind
            self.clutterSize = clutterSize
            self.maskThreshold = maskThreshold
            self.labels = labels
        }
    }

    /// The classes of a scene's item.
    public enum Labels: String, Sendable, CaseIterable {
        /// Fashion-MNIST's ten classes.
        case fine
        /// Five kinds of garment: tops (T-shirt, pullover, coat, shirt — the four classes Fashion-MNIST
        /// classifiers confuse most), trousers, dresses, footwear (sandal, sneaker, ankle boot), bags.
        case coarse

        public var classCount: Int { self == .fine ? 10 : 5 }

        /// The label of Fashion-MNIST class `fine` (0 T-shirt/top, 1 trouser, 2 pullover, 3 dress,
        /// 4 coat, 5 sandal, 6 shirt, 7 sneaker, 8 bag, 9 ankle boot).
        public func label(ofFashionClass fine: Int) -> Int {
            guard self == .coarse else { return fine }
            return [0, 1, 0, 2, 0, 3, 0, 3, 4, 3][fine]
        }
    }

    /// The distractors of a scene.
    public enum ClutterKind: String, Sendable, CaseIterable {
        /// Square crops of other Fashion-MNIST items: they carry other classes' strokes, so they make
        /// the class harder to read as well as the item harder to find.
        case items
        /// Textured ellipses: things to tell the item from when segmenting and locating it, with no
        /// garment strokes that could pass for another class.
        case blobs
    }

    /// Draws item `index` of `images` (and clutter from `clutterPool`) with `generator`.
    public static func draw(_ images: LabelledImages, _ index: Int, clutterPool: [Int], recipe: Recipe,
                            generator: inout SeededGenerator) -> FashionScene {
        let side = recipe.canvas
        var pixels = [Float](repeating: 0, count: side * side)
        for _ in 0..<recipe.clutter where !clutterPool.isEmpty {
            let source = clutterPool[Int(generator.next() % UInt64(clutterPool.count))]
            switch recipe.clutterKind {
            case .items: drawPatch(images, source, onto: &pixels, recipe: recipe, generator: &generator)
            case .blobs: drawBlob(onto: &pixels, recipe: recipe, generator: &generator)
            }
        }
        let scale = recipe.scale.lowerBound + generator.uniform() * (recipe.scale.upperBound - recipe.scale.lowerBound)
        let size = min(max(Int((Double(images.rows) * scale).rounded()), 2), side)
        let placement = ItemPlacement(size: size, top: Int(generator.next() % UInt64(side - size + 1)),
                                      left: Int(generator.next() % UInt64(side - size + 1)))
        var mask = [Bool](repeating: false, count: side * side)
        placement.draw(images, index, onto: &pixels, width: side) { position, value in
            if value > recipe.maskThreshold { mask[position] = true }
        }
        return FashionScene(pixels: pixels, label: recipe.labels.label(ofFashionClass: images.labels[index]), mask: mask, canvas: side)
    }

    /// A `clutterSize` square crop of another item, at half to two thirds of its brightness.
    private static func drawPatch(_ images: LabelledImages, _ index: Int, onto pixels: inout [Float], recipe: Recipe,
                                  generator: inout SeededGenerator) {
        let size = min(recipe.clutterSize, images.rows, recipe.canvas)
        let fromRow = Int(generator.next() % UInt64(images.rows - size + 1))
        let fromColumn = Int(generator.next() % UInt64(images.columns - size + 1))
        let toRow = Int(generator.next() % UInt64(recipe.canvas - size + 1))
        let toColumn = Int(generator.next() % UInt64(recipe.canvas - size + 1))
        let intensity = Float(0.5 + generator.uniform() / 6)
        for row in 0..<size {
            for column in 0..<size {
                let value = Float(images.pixel(index, fromRow + row, fromColumn + column)) / 255 * intensity
                let position = (toRow + row) * recipe.canvas + toColumn + column
                pixels[position] = max(pixels[position], value)
            }
        }
    }

    /// A filled ellipse with diameters of ½ to 1 × `clutterSize`, at ⅓ to ⅔ brightness with ±0.1 pixel
    /// noise: item-sized and textured, so brightness alone does not separate it from the item.
    private static func drawBlob(onto pixels: inout [Float], recipe: Recipe, generator: inout SeededGenerator) {
        let side = recipe.canvas, size = Double(min(recipe.clutterSize, side))
        let radiusX = size * (0.5 + generator.uniform() / 2) / 2, radiusY = size * (0.5 + generator.uniform() / 2) / 2
        let centreX = radiusX + generator.uniform() * (Double(side) - 2 * radiusX)
        let centreY = radiusY + generator.uniform() * (Double(side) - 2 * radiusY)
        let intensity = 1.0 / 3 + generator.uniform() / 3
        for row in 0..<side {
            for column in 0..<side {
                let dx = (Double(column) + 0.5 - centreX) / radiusX, dy = (Double(row) + 0.5 - centreY) / radiusY
                guard dx * dx + dy * dy <= 1 else { continue }
                let value = Float(min(max(intensity + (generator.uniform() - 0.5) / 5, 0), 1))
                pixels[row * side + column] = max(pixels[row * side + column], value)
            }
        }
    }

    init(pixels: [Float], label: Int, mask: [Bool], canvas side: Int) {
        self.pixels = pixels
        self.label = label
        self.mask = mask
        var (minRow, maxRow, minColumn, maxColumn) = (side, -1, side, -1)
        var rowsByColumn: [Int: [Int]] = [:], columnsByRow: [Int: [Int]] = [:]
        for row in 0..<side {
            for column in 0..<side where mask[row * side + column] {
                minRow = min(minRow, row); maxRow = max(maxRow, row)
                minColumn = min(minColumn, column); maxColumn = max(maxColumn, column)
                rowsByColumn[column, default: []].append(row)
                columnsByRow[row, default: []].append(column)
            }
        }
        let scale = 1 / Float(side)
        guard maxRow >= 0 else {  // an empty mask: no box, no points (the generator redraws such scenes)
            box = [0, 0, 0, 0]
            keypoints = [Float](repeating: 0, count: 8)
            return
        }
        box = [Float(minColumn) * scale, Float(minRow) * scale, Float(maxColumn + 1) * scale, Float(maxRow + 1) * scale]
        // Each extreme point is the median pixel of the extreme column or row: on the mask by construction.
        func centre(_ row: Int, _ column: Int) -> [Float] { [(Float(column) + 0.5) * scale, (Float(row) + 0.5) * scale] }
        let median = { (values: [Int]) in values[values.count / 2] }
        keypoints = centre(median(rowsByColumn[minColumn]!), minColumn) + centre(minRow, median(columnsByRow[minRow]!))
            + centre(median(rowsByColumn[maxColumn]!), maxColumn) + centre(maxRow, median(columnsByRow[maxRow]!))
    }
}
