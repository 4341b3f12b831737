/// Per-task gradient histories on the shared parameters, kept by the trainer for the policies that
/// need them: an exponential moving average ḡ_t (signal `grad_ema_gram`, the Gram matrix of the
/// averages) and Adagrad's running sum of squares (signal `adagrad_norm2`). Both live as long as the
/// run, one copy of the shared parameters per task each.
struct GradientHistory {
    let settings: GradientHistorySettings
    private var averages: [[Tensor]]?
    private var squareSums: [[Tensor]]?

    init(settings: GradientHistorySettings) { self.settings = settings }

    /// ḡ_t ← β ḡ_t + (1 − β) d_t from ḡ_t = 0, with d_t = ∇L_t, or ∇ log L_t = ∇L_t / L_t when the
    /// policy asks for log-loss gradients; returns ⟨ḡ_t, ḡ_u⟩.
    ///
    /// An average below the smallest normal float is stored as 0: the average of a dead unit's zero
    /// gradient decays into the subnormal range and sticks at the smallest subnormal, where every
    /// multiply costs an Intel core a microcode assist (as Adam's moments did; see `Adam.update`).
    /// Its share of a Gram entry is below 10⁻³⁸ · ‖ḡ‖, under the entries' rounding.
    mutating func averagedGram(_ gradients: [[Tensor]], losses: [Double]) -> [[Double]] {
        let beta = Float(settings.beta)
        var averages = self.averages ?? gradients.map { $0.map { Tensor(zeros: $0.shape) } }
        self.averages = nil   // the arrays below are then uniquely referenced: updated in place
        for (task, perParameter) in gradients.enumerated() {
            let scale = (1 - beta) * Float(settings.ofLogLoss ? 1 / losses[task] : 1)
            for (i, gradient) in perParameter.enumerated() {
                gradient.scalars.withUnsafeBufferPointer { g in
                    averages[task][i].scalars.withUnsafeMutableBufferPointer { a in
                        for j in 0..<a.count {
                            let next = beta * a[j] + scale * g[j]
                            a[j] = abs(next) < Float.leastNormalMagnitude ? 0 : next
                        }
                    }
                }
            }
        }
        self.averages = averages
        return averages.map { a in averages.map { b in zip(a, b).reduce(0) { $0 + $1.0.dot($1.1) } } }
    }

    /// ‖g_t‖² in the metric of its own Adagrad preconditioner: Σ_j g_tj² / √(h_tj + 10⁻⁷), with
    /// h_t = Σ_{k ≤ this step} g_tk² element-wise (ExcessMTL's estimate of a task's excess risk, ×2).
    mutating func adagradNorms(_ gradients: [[Tensor]]) -> [Double] {
        var sums = squareSums ?? gradients.map { $0.map { Tensor(zeros: $0.shape) } }
        var norms = [Double](repeating: 0, count: gradients.count)
        for (task, perParameter) in gradients.enumerated() {
            for (i, gradient) in perParameter.enumerated() {
                for j in 0..<gradient.count {
                    let g = gradient.scalars[j]
                    sums[task][i].scalars[j] += g * g
                    norms[task] += Double(g * g) / (Double(sums[task][i].scalars[j]) + 1e-7).squareRoot()
                }
            }
        }
        squareSums = sums
        return norms
    }
}

/// How the trainer averages the per-task gradients for `grad_ema_gram` (a policy declares it).
public struct GradientHistorySettings: Sendable, Equatable {
    /// β of the moving average, in [0, 1).
    public var beta: Double
    /// Average ∇ log L_t (= ∇L_t / L_t, loss-scale free) instead of ∇L_t.
    public var ofLogLoss: Bool

    public init(beta: Double = 0.9, ofLogLoss: Bool = false) {
        self.beta = beta
        self.ofLogLoss = ofLogLoss
    }
}
