/// Max pooling over `size`×`size` windows with stride `size` (NHWC). The gradient goes to the
/// first maximal element of each window.
public func maxPool2d(_ input: Variable, size: Int) -> Variable {
    let geometry = poolingGeometry(input, size: size, name: "maxPool2d")
    let channels = geometry.channels
    var output = [Float](repeating: -.infinity, count: geometry.outputPositions * channels)
    var winners = [Int](repeating: 0, count: output.count)
    input.value.scalars.withUnsafeBufferPointer { source in
        geometry.forEachWindowCell { row, _, inputOffset in
            for c in 0..<channels where source[inputOffset + c] > output[row * channels + c] {
                output[row * channels + c] = source[inputOffset + c]
                winners[row * channels + c] = inputOffset + c
            }
        }
    }
    let shape = [geometry.batch, geometry.outputHeight, geometry.outputWidth, channels]
    return Variable(Tensor(shape: shape, scalars: output), parents: [input]) { g, _ in
        var gradient = [Float](repeating: 0, count: input.value.count)
        for (index, winner) in winners.enumerated() { gradient[winner] += g.scalars[index] }
        return [Tensor(shape: input.shape, scalars: gradient)]
    }
}

/// Average pooling over `size`×`size` windows with stride `size` (NHWC).
public func avgPool2d(_ input: Variable, size: Int) -> Variable {
    let geometry = poolingGeometry(input, size: size, name: "avgPool2d")
    let channels = geometry.channels
    let scale = 1 / Float(size * size)
    var output = [Float](repeating: 0, count: geometry.outputPositions * channels)
    input.value.scalars.withUnsafeBufferPointer { source in
        geometry.forEachWindowCell { row, _, inputOffset in
            for c in 0..<channels { output[row * channels + c] += scale * source[inputOffset + c] }
        }
    }
    let shape = [geometry.batch, geometry.outputHeight, geometry.outputWidth, channels]
    return Variable(Tensor(shape: shape, scalars: output), parents: [input]) { g, _ in
        var gradient = [Float](repeating: 0, count: input.value.count)
        geometry.forEachWindowCell { row, _, inputOffset in
            for c in 0..<channels { gradient[inputOffset + c] += scale * g.scalars[row * channels + c] }
        }
        return [Tensor(shape: input.shape, scalars: gradient)]
    }
}

private func poolingGeometry(_ input: Variable, size: Int, name: String) -> ConvolutionGeometry {
    precondition(input.value.rank == 4, "\(name): input of shape \(input.shape), expected [batch, height, width, channels]")
    precondition(size >= 1 && input.shape[1] >= size && input.shape[2] >= size,
                 "\(name): window \(size) does not fit input \(input.shape)")
    return ConvolutionGeometry(inputShape: input.shape, kernel: (size, size), stride: size, padding: 0)
}
