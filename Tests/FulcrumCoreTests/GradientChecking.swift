import FulcrumCore
import Testing

/// Central finite differences of a scalar function of several tensors, compared with reverse mode.
/// Float32 arithmetic: ε = 1e-2 keeps rounding error well below the tolerance for smooth functions.
func expectGradientsMatchFiniteDifferences(
    _ inputs: [Tensor], epsilon: Float = 1e-2, tolerance: Double = 2e-2,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ function: ([Variable]) -> Variable
) {
    let variables = inputs.map { Variable($0, requiresGrad: true) }
    let output = function(variables)
    #expect(output.value.count == 1, "the checked function must return a scalar", sourceLocation: sourceLocation)
    output.backward()

    for (index, input) in inputs.enumerated() {
        let analytic = variables[index].grad ?? Tensor(zeros: input.shape)
        for element in 0..<input.count {
            func value(shiftedBy delta: Float) -> Double {
                var shifted = inputs
                shifted[index].scalars[element] += delta
                return Double(function(shifted.map { Variable($0) }).value.scalar)
            }
            let numeric = (value(shiftedBy: epsilon) - value(shiftedBy: -epsilon)) / Double(2 * epsilon)
            let exact = Double(analytic.scalars[element])
            let scale = max(1, abs(numeric), abs(exact))
            #expect(abs(numeric - exact) <= tolerance * scale,
                    "input \(index) element \(element): finite difference \(numeric), autodiff \(exact)",
                    sourceLocation: sourceLocation)
        }
    }
}

/// Deterministic test tensors with entries in [-scale, scale], avoiding |x| < margin (kinks of relu).
func sampleTensor(_ shape: [Int], seed: UInt64, scale: Float = 1, margin: Float = 0) -> Tensor {
    var generator = SeededGenerator(seed: seed)
    let values = (0..<shape.reduce(1, *)).map { _ -> Float in
        let magnitude = margin + Float(generator.uniform()) * (scale - margin)
        return generator.uniform() < 0.5 ? -magnitude : magnitude
    }
    return Tensor(shape: shape, scalars: values)
}
