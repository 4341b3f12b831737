/// Mean over all elements of |prediction − target|. Pullback: sign(d) / n (0 at d = 0).
public func l1Loss(_ predictions: Variable, targets: Tensor) -> Variable {
    precondition(predictions.shape == targets.shape, "l1Loss: predictions \(predictions.shape), targets \(targets.shape)")
    let difference = predictions.value - targets
    let n = Float(max(targets.count, 1))
    let total = difference.scalars.reduce(0.0) { $0 + Double(abs($1)) }
    return Variable(Tensor(scalar: Float(total) / n), parents: [predictions]) { g, _ in
        [difference.mapped { d in d > 0 ? g.scalar / n : (d < 0 ? -g.scalar / n : 0) }]
    }
}

/// Mean over all elements of the smooth-L1 (Huber) loss with threshold β (Fast R-CNN):
/// ½d²/β for |d| < β, |d| − ½β otherwise. Pullback: d/β inside, sign(d) outside, over n.
public func smoothL1Loss(_ predictions: Variable, targets: Tensor, beta: Float = 1) -> Variable {
    precondition(predictions.shape == targets.shape, "smoothL1Loss: predictions \(predictions.shape), targets \(targets.shape)")
    precondition(beta > 0, "smoothL1Loss: beta \(beta), expected > 0")
    let difference = predictions.value - targets
    let n = Float(max(targets.count, 1))
    let total = difference.scalars.reduce(0.0) { sum, d in
        sum + Double(abs(d) < beta ? 0.5 * d * d / beta : abs(d) - 0.5 * beta)
    }
    return Variable(Tensor(scalar: Float(total) / n), parents: [predictions]) { g, _ in
        let scale = g.scalar / n
        return [difference.mapped { d in abs(d) < beta ? scale * d / beta : (d > 0 ? scale : -scale) }]
    }
}
