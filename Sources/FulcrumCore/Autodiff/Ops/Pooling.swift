/// Max pooling over `size`×`size` windows with stride `size` (NHWC). The gradient goes to the
/// first maximal element of each window.
public func maxPool2d(_ input: Variable, size: Int) -> Variable {
    let pooling = PoolingGeometry(input, size: size, name: "maxPool2d")
    var winners = [Int32](repeating: 0, count: pooling.outputCount)
    let (channels, size, width) = (pooling.channels, pooling.size, pooling.width)
    let output = input.value.scalars.withUnsafeBufferPointer { source in
        Tensor(shape: pooling.outputShape) { out in
            winners.withUnsafeMutableBufferPointer { winner in
                let best = out.baseAddress!, from = winner.baseAddress!, pixels = source.baseAddress!
                // Cell by cell with the channels innermost: contiguous in NHWC.
                pooling.forEachWindow { o, first in
                    for c in 0..<channels {
                        best[o + c] = pixels[first + c]
                        from[o + c] = Int32(truncatingIfNeeded: first + c)
                    }
                    for kh in 0..<size {
                        for kw in 0..<size where kh != 0 || kw != 0 {
                            let cell = first &+ (kh &* width &+ kw) &* channels
                            var c = 0
                            // Branch-free: on random data a compare-and-branch mispredicts half the time.
                            while c &+ 8 <= channels {
                                let values = UnsafeRawPointer(pixels + cell + c).loadUnaligned(as: SIMD8<Float>.self)
                                let current = UnsafeRawPointer(best + o + c).loadUnaligned(as: SIMD8<Float>.self)
                                let better = values .> current
                                let sources = UnsafeRawPointer(from + o + c).loadUnaligned(as: SIMD8<Int32>.self)
                                let offsets = SIMD8<Int32>(repeating: Int32(truncatingIfNeeded: cell &+ c)) &+ SIMD8<Int32>(0, 1, 2, 3, 4, 5, 6, 7)
                                UnsafeMutableRawPointer(best + o + c).storeBytes(of: current.replacing(with: values, where: better), as: SIMD8<Float>.self)
                                UnsafeMutableRawPointer(from + o + c).storeBytes(of: sources.replacing(with: offsets, where: better),
                                                                                 as: SIMD8<Int32>.self)
                                c &+= 8
                            }
                            while c < channels {
                                let value = pixels[cell &+ c], better = value > best[o &+ c]
                                best[o &+ c] = better ? value : best[o &+ c]
                                from[o &+ c] = better ? Int32(truncatingIfNeeded: cell &+ c) : from[o &+ c]
                                c &+= 1
                            }
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
