import Foundation

/// Mean over all elements of the binary cross-entropy of sigmoid(logits) against targets in [0, 1],
/// in the stable form max(x, 0) − x·y + log(1 + e^(−|x|)). Pullback: (σ(x) − y) / n.
public func binaryCrossEntropyWithLogits(_ logits: Variable, targets: Tensor) -> Variable {
    precondition(logits.shape == targets.shape, "binaryCrossEntropyWithLogits: logits \(logits.shape), targets \(targets.shape)")
    let n = Float(max(targets.count, 1))
    var total: Double = 0
    for i in 0..<targets.count {
        let x = logits.value.scalars[i], y = targets.scalars[i]
        total += Double(max(x, 0) - x * y + log1p(exp(-abs(x))))
    }
    return Variable(Tensor(scalar: Float(total) / n), parents: [logits]) { g, needed in
        let scale = g.scalar / n
        return [logits.value.zipped(with: targets) { x, y in scale * (stableSigmoid(x) - y) }]
    }
}
