/// Mean over all elements of (prediction − target)². Pullback: 2 (prediction − target) / n.
public func meanSquaredError(_ predictions: Variable, targets: Tensor) -> Variable {
    precondition(predictions.shape == targets.shape, "meanSquaredError: predictions \(predictions.shape), targets \(targets.shape)")
    let difference = predictions.value - targets
    let n = Float(max(targets.count, 1))
    var total: Double = 0
    for d in difference.scalars { total += Double(d * d) }
    return Variable(Tensor(scalar: Float(total) / n), parents: [predictions]) { g, needed in
        [(2 * g.scalar / n) * difference]
    }
}
