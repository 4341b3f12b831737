/// 2-D convolution of feature maps in NHWC layout ([batch, height, width, channels]) as im2col + GEMM:
/// every output position's receptive field becomes a row of `columns` [batch·OH·OW, KH·KW·C], and
/// the output is columns · weight + bias, with weight [KH·KW·C, filters] — already NHWC, no transposes.
/// Pullbacks: ∂weight = columnsᵀ · g, ∂bias = Σ rows of g, ∂input = col2im(g · weightᵀ).
public func conv2d(_ input: Variable, _ weight: Variable, _ bias: Variable,
                   kernel: (height: Int, width: Int), stride: Int = 1, padding: Int = 0) -> Variable {
    precondition(input.value.rank == 4, "conv2d: input of shape \(input.shape), expected [batch, height, width, channels]")
    let geometry = ConvolutionGeometry(inputShape: input.shape, kernel: kernel, stride: stride, padding: padding)
    precondition(weight.shape == [geometry.patchSize, weight.shape.last ?? 0] && weight.value.rank == 2,
                 "conv2d: weight of shape \(weight.shape), expected [\(geometry.patchSize), filters]")
    let filters = weight.shape[1]
    precondition(bias.shape == [filters], "conv2d: bias of shape \(bias.shape), expected [\(filters)]")
    precondition(geometry.outputHeight > 0 && geometry.outputWidth > 0,
                 "conv2d: kernel \(kernel) with padding \(padding) does not fit input \(input.shape)")

    let columns = geometry.imageToColumns(input.value)
    var output = Tensor.matmul(columns, weight.value)
    output.scalars.withUnsafeMutableBufferPointer { out in
        bias.value.scalars.withUnsafeBufferPointer { b in
            for row in 0..<geometry.outputPositions { for f in 0..<filters { out[row * filters + f] += b[f] } }
        }
    }
    let outputShape = [geometry.batch, geometry.outputHeight, geometry.outputWidth, filters]
    return Variable(output.reshaped(outputShape), parents: [input, weight, bias]) { g, needed in
        let gradient = g.reshaped([geometry.outputPositions, filters])
        var biasGradient: Tensor?
        if needed[2] {
            var sums = [Float](repeating: 0, count: filters)
            gradient.scalars.withUnsafeBufferPointer { gp in
                for row in 0..<geometry.outputPositions { for f in 0..<filters { sums[f] += gp[row * filters + f] } }
            }
            biasGradient = Tensor(shape: [filters], scalars: sums)
        }
        return [
            needed[0] ? geometry.columnsToImage(Tensor.matmul(gradient, weight.value, transposeB: true)) : nil,
            needed[1] ? Tensor.matmul(columns, gradient, transposeA: true) : nil,
            biasGradient,
        ]
    }
}

/// Index arithmetic of a convolution or pooling window over NHWC maps.
struct ConvolutionGeometry {
    let batch: Int, height: Int, width: Int, channels: Int
    let kernelHeight: Int, kernelWidth: Int, stride: Int, padding: Int
    let outputHeight: Int, outputWidth: Int

    init(inputShape: [Int], kernel: (height: Int, width: Int), stride: Int, padding: Int) {
        precondition(stride >= 1 && padding >= 0 && kernel.height >= 1 && kernel.width >= 1,
                     "convolution: kernel \(kernel), stride \(stride), padding \(padding)")
        (batch, height, width, channels) = (inputShape[0], inputShape[1], inputShape[2], inputShape[3])
        (kernelHeight, kernelWidth, self.stride, self.padding) = (kernel.height, kernel.width, stride, padding)
        outputHeight = (height + 2 * padding - kernel.height) / stride + 1
        outputWidth = (width + 2 * padding - kernel.width) / stride + 1
    }

    var patchSize: Int { kernelHeight * kernelWidth * channels }
    var outputPositions: Int { batch * outputHeight * outputWidth }
    var inputShape: [Int] { [batch, height, width, channels] }

    /// [batch·OH·OW, KH·KW·C]: row (b, oh, ow) holds the receptive field, zeros where it overhangs.
    /// In NHWC a window row (kh fixed) is one contiguous run of KW·C floats in both the image and the
    /// column matrix, so it is copied as a block.
    func imageToColumns(_ image: Tensor) -> Tensor {
        image.scalars.withUnsafeBufferPointer { source in
            Tensor(shape: [outputPositions, patchSize]) { columns in
                let target = columns.baseAddress!, input = source.baseAddress!
                let run = kernelWidth * channels
                forEachWindowRow { columnOffset, pixelOffset, first, last in
                    let destination = target + columnOffset
                    guard let pixelOffset else {
                        for i in 0..<run { destination[i] = 0 }
                        return
                    }
                    let pixels = input + pixelOffset
                    for i in 0..<first { destination[i] = 0 }
                    for i in first..<last { destination[i] = pixels[i] }
                    for i in last..<run { destination[i] = 0 }
                }
            }
        }
    }

    /// The adjoint of `imageToColumns`: adds every column entry back onto the pixel it came from.
    func columnsToImage(_ columns: Tensor) -> Tensor {
        var image = Tensor(zeros: inputShape)
        columns.scalars.withUnsafeBufferPointer { source in
            image.scalars.withUnsafeMutableBufferPointer { target in
                let output = target.baseAddress!, input = source.baseAddress!
                forEachWindowRow { columnOffset, pixelOffset, first, last in
                    guard let pixelOffset else { return }
                    let origin = input + columnOffset, pixels = output + pixelOffset
                    for i in first..<last { pixels[i] += origin[i] }
                }
            }
        }
        return image
    }

    /// Calls `body(columnOffset, pixelOffset, first, last)` for every output position and window row
    /// (kh): the offset of that run in the column matrix, the NHWC offset of the image pixel under
    /// window column 0 (nil when the window row lies outside the image), and the range first..<last of
    /// the run (in floats) that lies inside the image.
    @inline(__always)
    private func forEachWindowRow(_ body: (Int, Int?, Int, Int) -> Void) {
        let run = kernelWidth * channels
        var columnOffset = 0
        for b in 0..<batch {
            for oh in 0..<outputHeight {
                for ow in 0..<outputWidth {
                    let left = ow * stride - padding
                    let first = max(0, -left) * channels, last = max(min(kernelWidth, width - left) * channels, first)
                    for kh in 0..<kernelHeight {
                        let ih = oh * stride - padding + kh
                        body(columnOffset, ih >= 0 && ih < height ? ((b * height + ih) * width + left) * channels : nil, first, last)
                        columnOffset += run
                    }
                }
            }
        }
    }
}
