import Foundation

/// Mean over the batch of −log softmax(logits)[label]; logits [batch, classes].
/// Pullback: (softmax − onehot(label)) / batch.
public func softmaxCrossEntropy(_ logits: Variable, labels: [Int]) -> Variable {
    let batch = logits.value.rows, classes = logits.value.columns
    precondition(labels.count == batch, "softmaxCrossEntropy: \(labels.count) labels for \(batch) rows")
    var probabilities = logits.value
    var total: Double = 0
    for r in 0..<batch {
        let label = labels[r]
        precondition(label >= 0 && label < classes, "softmaxCrossEntropy: label \(label) outside 0..<\(classes)")
        let row = r * classes
        var maximum = -Float.infinity
        for c in 0..<classes { maximum = max(maximum, probabilities.scalars[row + c]) }
        var normaliser: Float = 0
        for c in 0..<classes {
            let e = exp(probabilities.scalars[row + c] - maximum)
            probabilities.scalars[row + c] = e
            normaliser += e
        }
        for c in 0..<classes { probabilities.scalars[row + c] /= normaliser }
        total -= Double(logits.value.scalars[row + label] - maximum) - Double(log(normaliser))
    }
    let loss = Float(total / Double(max(batch, 1)))
    return Variable(Tensor(scalar: loss), parents: [logits]) { g, needed in
        var gradient = probabilities
        for r in 0..<batch { gradient.scalars[r * classes + labels[r]] -= 1 }
        return [(g.scalar / Float(max(batch, 1))) * gradient]
    }
}
