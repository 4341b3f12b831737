import Foundation

/// Focal loss (Lin et al. 2017), the DTP paper's example-level prioritisation (Eq. 3):
/// FL(p; γ₀) = −(1 − p)^γ₀ · log p, with p the softmax probability of the true class; mean over
/// the batch. γ₀ = 0 is the cross-entropy. With q = softmax(z) and p = q_y:
/// ∂FL/∂z_j = (p · ∂FL/∂p) · (δ_jy − q_j),  p · ∂FL/∂p = γ₀ p (1 − p)^(γ₀−1) log p − (1 − p)^γ₀.
public func focalLoss(_ logits: Variable, labels: [Int], gamma0: Float) -> Variable {
    precondition(gamma0 >= 0, "focalLoss: γ₀ = \(gamma0), expected ≥ 0")
    let batch = logits.value.rows, classes = logits.value.columns
    precondition(labels.count == batch, "focalLoss: \(labels.count) labels for \(batch) rows")
    var probabilities = logits.value
    var rowScale = [Float](repeating: 0, count: batch)  // p · ∂FL/∂p per row
    var total: Double = 0
    for r in 0..<batch {
        let label = labels[r], row = r * classes
        precondition(label >= 0 && label < classes, "focalLoss: label \(label) outside 0..<\(classes)")
        var maximum = -Float.infinity
        for c in 0..<classes { maximum = max(maximum, logits.value.scalars[row + c]) }
        var normaliser: Float = 0
        for c in 0..<classes {
            let e = exp(logits.value.scalars[row + c] - maximum)
            probabilities.scalars[row + c] = e
            normaliser += e
        }
        for c in 0..<classes { probabilities.scalars[row + c] /= normaliser }
        let logP = logits.value.scalars[row + label] - maximum - log(normaliser)
        let p = probabilities.scalars[row + label], miss = 1 - p
        total += Double(-pow(miss, gamma0) * logP)
        let slope = miss > 0 ? gamma0 * p * pow(miss, gamma0 - 1) * logP : 0
        rowScale[r] = slope - pow(miss, gamma0)
    }
    return Variable(Tensor(scalar: Float(total / Double(max(batch, 1)))), parents: [logits]) { g, _ in
        var gradient = probabilities
        let scale = g.scalar / Float(max(batch, 1))
        for r in 0..<batch {
            let row = r * classes
            for c in 0..<classes {
                let delta: Float = c == labels[r] ? 1 : 0
                gradient.scalars[row + c] = scale * rowScale[r] * (delta - probabilities.scalars[row + c])
            }
        }
        return [gradient]
    }
}

/// Binary focal loss on logits for targets y ∈ [0, 1], mean over all elements:
/// −y (1 − p)^γ₀ log p − (1 − y) p^γ₀ log(1 − p), p = σ(x). γ₀ = 0 is the binary cross-entropy.
/// ∂/∂x = y [γ₀ p (1 − p)^γ₀ log p − (1 − p)^(γ₀+1)] + (1 − y) [p^(γ₀+1) − γ₀ (1 − p) p^γ₀ log(1 − p)].
public func binaryFocalLoss(_ logits: Variable, targets: Tensor, gamma0: Float) -> Variable {
    precondition(logits.shape == targets.shape, "binaryFocalLoss: logits \(logits.shape), targets \(targets.shape)")
    precondition(gamma0 >= 0, "binaryFocalLoss: γ₀ = \(gamma0), expected ≥ 0")
    let n = Float(max(targets.count, 1))
    var total: Double = 0
    var slopes = [Float](repeating: 0, count: targets.count)
    for i in 0..<targets.count {
        let x = logits.value.scalars[i], y = targets.scalars[i]
        let p = stableSigmoid(x), q = 1 - p
        let logP = -softplus(-x), logQ = -softplus(x)
        total += Double(-y * pow(q, gamma0) * logP - (1 - y) * pow(p, gamma0) * logQ)
        slopes[i] = y * (gamma0 * p * pow(q, gamma0) * logP - pow(q, gamma0 + 1))
            + (1 - y) * (pow(p, gamma0 + 1) - gamma0 * q * pow(p, gamma0) * logQ)
    }
    return Variable(Tensor(scalar: Float(total) / n), parents: [logits]) { g, _ in
        [Tensor(shape: targets.shape, scalars: slopes.map { $0 * g.scalar / n })]
    }
}

/// log(1 + eˣ) without overflow.
@inlinable
public func softplus(_ x: Float) -> Float { max(x, 0) + log1p(exp(-abs(x))) }
