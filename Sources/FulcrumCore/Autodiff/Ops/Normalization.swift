import Foundation

/// Layer normalisation over the features of each row (Ba et al. 2016):
/// x̂ = (x − μ) / √(σ² + ε), y = γ ⊙ x̂ + β, for x of shape [rows, features].
/// Pullback: ∂x = (1/√(σ²+ε)) · (ĝ − mean(ĝ) − x̂ · mean(ĝ ⊙ x̂)) with ĝ = g ⊙ γ.
public func layerNorm(_ x: Variable, gain: Variable, bias: Variable, epsilon: Float = 1e-5) -> Variable {
    precondition(x.value.rank == 2 && gain.shape == [x.shape[1]] && bias.shape == [x.shape[1]],
                 "layerNorm: input \(x.shape), gain \(gain.shape), bias \(bias.shape)")
    let rows = x.shape[0], features = x.shape[1]
    var normalized = x.value
    var inverseDeviation = [Float](repeating: 0, count: rows)
    var output = x.value
    for r in 0..<rows {
        let base = r * features
        var mean: Float = 0
        for f in 0..<features { mean += x.value.scalars[base + f] }
        mean /= Float(features)
        var variance: Float = 0
        for f in 0..<features { let d = x.value.scalars[base + f] - mean; variance += d * d }
        variance /= Float(features)
        inverseDeviation[r] = 1 / (variance + epsilon).squareRoot()
        for f in 0..<features {
            let n = (x.value.scalars[base + f] - mean) * inverseDeviation[r]
            normalized.scalars[base + f] = n
            output.scalars[base + f] = gain.value.scalars[f] * n + bias.value.scalars[f]
        }
    }
    return Variable(output, parents: [x, gain, bias]) { g, needed in
        var inputGradient = Tensor(zeros: x.shape)
        var gainGradient = Tensor(zeros: [features]), biasGradient = Tensor(zeros: [features])
        for r in 0..<rows {
            let base = r * features
            var meanScaled: Float = 0, meanScaledTimesNormalized: Float = 0
            for f in 0..<features {
                let scaled = g.scalars[base + f] * gain.value.scalars[f]
                meanScaled += scaled
                meanScaledTimesNormalized += scaled * normalized.scalars[base + f]
                gainGradient.scalars[f] += g.scalars[base + f] * normalized.scalars[base + f]
                biasGradient.scalars[f] += g.scalars[base + f]
            }
            meanScaled /= Float(features)
            meanScaledTimesNormalized /= Float(features)
            if needed[0] {
                for f in 0..<features {
                    let scaled = g.scalars[base + f] * gain.value.scalars[f]
                    inputGradient.scalars[base + f] = inverseDeviation[r]
                        * (scaled - meanScaled - normalized.scalars[base + f] * meanScaledTimesNormalized)
                }
            }
        }
        return [needed[0] ? inputGradient : nil, needed[1] ? gainGradient : nil, needed[2] ? biasGradient : nil]
    }
}

/// Inverted dropout: zeroes each element with probability `rate` and scales the rest by 1/(1 − rate),
/// so evaluation needs no rescaling. The mask comes from the caller's seeded generator.
public func dropout(_ x: Variable, rate: Float, generator: inout SeededGenerator) -> Variable {
    precondition(rate >= 0 && rate < 1, "dropout: rate \(rate), expected 0 ≤ rate < 1")
    let keep = 1 / (1 - rate)
    let mask = Tensor(shape: x.shape, scalars: (0..<x.value.count).map { _ in generator.uniform() < Double(rate) ? 0 : keep })
    return Variable(x.value * mask, parents: [x]) { g, _ in [g * mask] }
}
