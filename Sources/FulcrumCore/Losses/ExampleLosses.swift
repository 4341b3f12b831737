/// Per-example losses, and the loss with a weight per example (instance-level policies).
///
/// Every `TaskLoss` is a mean over the batch of per-example terms that each average the same number
/// of elements, so L = (1/B) Σ_i ℓ_i with ℓ_i the loss of example i alone. An example-weighted loss
/// is then L_v = (1/B) Σ_i v_i ℓ_i, and its gradient at the head's output is the plain loss's gradient
/// with row i scaled by v_i (ℓ_i depends on row i only).
extension TaskLoss {
    /// ℓ_i for every example (row) of `output`.
    public func exampleLosses(_ output: Tensor, _ targets: TaskTargets) -> [Double] {
        (0..<output.shape[0]).map { i in
            Double(self(Variable(output.gatheringRows([i])), targets.gathering([i])).value.scalar)
        }
    }

    /// (1/B) Σ_i v_i ℓ_i, differentiable in `output`; `exampleWeights` has one entry per row.
    /// `exampleLosses`: the ℓ_i when the caller has them already (the `example_loss` signal).
    public func weighted(_ output: Variable, _ targets: TaskTargets, exampleWeights: [Double],
                         exampleLosses known: [Double]? = nil) -> Variable {
        precondition(exampleWeights.count == output.shape[0],
                     "TaskLoss.weighted: \(exampleWeights.count) weights for \(output.shape[0]) examples")
        let perExample = known ?? exampleLosses(output.value, targets)
        let value = zip(exampleWeights, perExample).reduce(0) { $0 + $1.0 * $1.1 } / Double(max(perExample.count, 1))
        let plain = self(output.scalingRowGradients(by: exampleWeights.map { Float($0) }), targets)
        return Variable(Tensor(scalar: Float(value)), parents: [plain]) { gradient, _ in [gradient] }
    }
}

extension Variable {
    /// The same values; on the way back, row i of the gradient is multiplied by `weights[i]`.
    func scalingRowGradients(by weights: [Float]) -> Variable {
        let rows = value.shape[0], width = value.count / max(rows, 1)
        return Variable(value, parents: [self]) { gradient, _ in
            var scaled = gradient
            for row in 0..<rows {
                for j in 0..<width { scaled.scalars[row * width + j] *= weights[row] }
            }
            return [scaled]
        }
    }
}
