/// Max pooling over `size`×`size` windows with stride `size` (NHWC). The gradient goes to the
/// first maximal element of each window.
public func maxPool2d(_ input: Variable, size: Int) -> Variable {
    let pooling = PoolingGeometry(input, size: size, name: "maxPool2d")
    var winners = [Int32](repeating: 0, count: pooling.outputCount)
    let channels = pooling.channels
    let output = input.value.scalars.withUnsafeBufferPointer { source in
        Tensor(shape: pooling.outputShape) { out in
            winners.withUnsafeMutableBufferPointer { winner in
                // Cell by cell, channels innermost: contiguous in NHWC, so the comparisons vectorise.
                pooling.forEachWindow { outputOffset, firstInputOffset in
                    for c in 0..<channels {
                        out[outputOffset + c] = source[firstInputOffset + c]
                        winner[outputOffset + c] = Int32(firstInputOffset + c)
                    }
                    pooling.forEachCell(from: firstInputOffset) { offset in
                        for c in 0..<channels where source[offset + c] > out[outputOffset + c] {
                            out[outputOffset + c] = source[offset + c]
                            winner[outputOffset + c] = Int32(offset + c)
                        }
                    }
                }
            }
        }
    }
    return Variable(output, parents: [input]) { g, _ in
        var gradient = Tensor(zeros: input.shape)
        gradient.scalars.withUnsafeMutableBufferPointer { target in
            g.scalars.withUnsafeBufferPointer { source in
                for (index, winner) in winners.enumerated() { target[Int(winner)] += source[index] }
            }
        }
        return [gradient]
    }
}

/// Average pooling over `size`×`size` windows with stride `size` (NHWC).
public func avgPool2d(_ input: Variable, size: Int) -> Variable {
    let pooling = PoolingGeometry(input, size: size, name: "avgPool2d")
    let scale = 1 / Float(size * size)
    let output = input.value.scalars.withUnsafeBufferPointer { source in
        Tensor(shape: pooling.outputShape) { out in
            pooling.forEachWindow { outputOffset, firstInputOffset in
                for c in 0..<pooling.channels {
                    var total: Float = 0
                    pooling.forEachCell(from: firstInputOffset) { total += source[$0 + c] }
                    out[outputOffset + c] = scale * total
                }
            }
        }
    }
    return Variable(output, parents: [input]) { g, _ in
        var gradient = Tensor(zeros: input.shape)
        gradient.scalars.withUnsafeMutableBufferPointer { target in
            g.scalars.withUnsafeBufferPointer { source in
                pooling.forEachWindow { outputOffset, firstInputOffset in
                    for c in 0..<pooling.channels {
                        let share = scale * source[outputOffset + c]
                        pooling.forEachCell(from: firstInputOffset) { target[$0 + c] += share }
                    }
                }
            }
        }
        return [gradient]
    }
}

/// Non-overlapping `size`×`size` windows over an NHWC map (the last rows or columns that do not
/// fill a window are dropped, as PyTorch does).
private struct PoolingGeometry {
    let batch: Int, height: Int, width: Int, channels: Int, size: Int
    let outputHeight: Int, outputWidth: Int

    init(_ input: Variable, size: Int, name: String) {
        precondition(input.value.rank == 4, "\(name): input of shape \(input.shape), expected [batch, height, width, channels]")
        precondition(size >= 1 && input.shape[1] >= size && input.shape[2] >= size,
                     "\(name): window \(size) does not fit input \(input.shape)")
        (batch, height, width, channels, self.size) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3], size)
        (outputHeight, outputWidth) = (height / size, width / size)
    }

    var outputShape: [Int] { [batch, outputHeight, outputWidth, channels] }
    var outputCount: Int { batch * outputHeight * outputWidth * channels }

    /// `body(outputOffset, firstInputOffset)`: NHWC offsets of channel 0 of an output pixel and of
    /// the top-left pixel of its window.
    @inline(__always)
    func forEachWindow(_ body: (Int, Int) -> Void) {
        for b in 0..<batch {
            for oh in 0..<outputHeight {
                for ow in 0..<outputWidth {
                    body(((b * outputHeight + oh) * outputWidth + ow) * channels,
                         ((b * height + oh * size) * width + ow * size) * channels)
                }
            }
        }
    }

    /// `body(offset)` for channel 0 of every pixel of the window starting at `first`.
    @inline(__always)
    func forEachCell(from first: Int, _ body: (Int) -> Void) {
        for kh in 0..<size {
            for kw in 0..<size { body(first + (kh * width + kw) * channels) }
        }
    }
}
