/// Where an item (a Fashion-MNIST image) goes on a canvas: resampled to a square of `size` pixels
/// with its top-left corner at (`top`, `left`).
struct ItemPlacement {
    let size: Int
    let top: Int
    let left: Int

    /// Draws item `index` onto `canvas` (row-major, `width` columns), keeping the brighter pixel
    /// where it overlaps what is already there; `mark` sees each canvas position and its new value.
    func draw(_ images: LabelledImages, _ index: Int, onto canvas: inout [Float], width: Int,
              mark: (Int, Float) -> Void = { _, _ in }) {
        resample(images, index) { row, column, value in
            let position = (top + row) * width + left + column
            canvas[position] = max(canvas[position], value)
            mark(position, value)
        }
    }

    /// Bilinear resampling at pixel centres (source coordinate = (target + ½)·28/size − ½), values
    /// in [0, 1]: a downscale by at most 2 keeps the item's strokes, which is all the scenes ask of it.
    private func resample(_ images: LabelledImages, _ index: Int, _ body: (Int, Int, Float) -> Void) {
        let scaleRows = Double(images.rows) / Double(size)
        let scaleColumns = Double(images.columns) / Double(size)
        for row in 0..<size {
            let y = min(max((Double(row) + 0.5) * scaleRows - 0.5, 0), Double(images.rows - 1))
            let y0 = Int(y), y1 = min(y0 + 1, images.rows - 1), fy = Float(y - Double(y0))
            for column in 0..<size {
                let x = min(max((Double(column) + 0.5) * scaleColumns - 0.5, 0), Double(images.columns - 1))
                let x0 = Int(x), x1 = min(x0 + 1, images.columns - 1), fx = Float(x - Double(x0))
                let top = Float(images.pixel(index, y0, x0)) * (1 - fx) + Float(images.pixel(index, y0, x1)) * fx
                let bottom = Float(images.pixel(index, y1, x0)) * (1 - fx) + Float(images.pixel(index, y1, x1)) * fx
                body(row, column, (top * (1 - fy) + bottom * fy) / 255)
            }
        }
    }
}
