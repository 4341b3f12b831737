/// The per-task gradients of one training step, from one forward pass.
///
/// The graph is cut at the representations the heads read. One pass through task t's head gives its
/// head gradient and g_t^rep = ∂L_t/∂representations (cheap: heads are small). Per-task gradients on
/// the shared parameters cost one trunk backward pass per task and are computed only when a signal
/// needs them (gram, grad_norm over the shared parameters); otherwise the update's shared gradient
/// Σ_t w_t g_t is one trunk pass seeded with Σ_t w_t g_t^rep.
struct TaskGradients {
    let model: any MultiTaskModel
    let representations: [Variable]
    /// headGradients[t][i]: ∂L_t/∂(head t's parameter i).
    let headGradients: [[Tensor]]
    /// representationGradients[t][k]: ∂L_t/∂(representation k); nil where head t does not read k.
    let representationGradients: [[Tensor?]]
    /// sharedGradients[t][i]: ∂L_t/∂(shared parameter i), once computed.
    private(set) var sharedGradients: [[Tensor]]?

    init(model: any MultiTaskModel, representations: [Variable], cuts: [Variable], losses: [Variable]) {
        self.model = model
        self.representations = representations
        var heads: [[Tensor]] = [], atRepresentations: [[Tensor?]] = []
        for (task, loss) in losses.enumerated() {
            let parameters = model.headParameters[task]
            let gradients = Gradients.of([loss], seeds: [Tensor(scalar: 1)], withRespectTo: parameters + cuts)
            heads.append(zip(parameters, gradients).map { $1 ?? Tensor(zeros: $0.shape) })
            atRepresentations.append(Array(gradients.dropFirst(parameters.count)))
        }
        headGradients = heads
        representationGradients = atRepresentations
    }

    var taskCount: Int { headGradients.count }

    /// ∂(Σ_t weights[t] L_t) at `targets` through the trunk, in one backward pass.
    func trunkGradients(weights: [Double], withRespectTo targets: [Variable]) -> [Tensor] {
        var roots: [Variable] = [], seeds: [Tensor] = []
        for (k, representation) in representations.enumerated() {
            var seed: Tensor?
            for task in 0..<taskCount where weights[task] != 0 {
                guard let gradient = representationGradients[task][k] else { continue }
                if seed == nil { seed = Float(weights[task]) * gradient } else { seed!.add(gradient, scaledBy: Float(weights[task])) }
            }
            if let seed { roots.append(representation); seeds.append(seed) }
        }
        return zip(targets, Gradients.of(roots, seeds: seeds, withRespectTo: targets)).map { $1 ?? Tensor(zeros: $0.shape) }
    }

    mutating func computeSharedGradients() {
        guard sharedGradients == nil else { return }
        let shared = model.sharedParameters
        sharedGradients = (0..<taskCount).map { task in
            trunkGradients(weights: (0..<taskCount).map { $0 == task ? 1 : 0 }, withRespectTo: shared)
        }
    }

    /// gram[t][u] = ⟨∇L_t, ∇L_u⟩ over all shared parameters.
    mutating func gram() -> [[Double]] {
        computeSharedGradients()
        return innerProducts(sharedGradients!)
    }

    /// ∇L_t on every shared parameter, for each task t.
    mutating func perTaskSharedGradients() -> [[Tensor]] {
        computeSharedGradients()
        return sharedGradients!
    }

    /// ⟨∇L_t, v⟩ over all shared parameters, for each task t; `v` is a gradient on the shared parameters.
    mutating func alignment(with v: [Tensor]) -> [Double] {
        computeSharedGradients()
        return sharedGradients!.map { perParameter in zip(perParameter, v).reduce(0) { $0 + $1.0.dot($1.1) } }
    }

    /// The same at the representations.
    func representationGram() -> [[Double]] {
        innerProducts(representationGradients.map { gradients in
            zip(representations, gradients).map { $1 ?? Tensor(zeros: $0.shape) }
        })
    }

    mutating func gradientNorms(_ scope: GradientNormScope) -> [Double] {
        switch scope {
        case .sharedParameters:
            computeSharedGradients()
            return sharedGradients!.map { gradients in gradients.reduce(0) { $0 + $1.dot($1) }.squareRoot() }
        case .lastSharedLayer:
            let layer = model.lastSharedLayerParameters
            return (0..<taskCount).map { task in
                trunkGradients(weights: (0..<taskCount).map { $0 == task ? 1 : 0 }, withRespectTo: layer)
                    .reduce(0) { $0 + $1.dot($1) }.squareRoot()
            }
        }
    }

    /// Sets every parameter's gradient for the update: Σ_t w_t g_t on the shared parameters and
    /// h_t g_t on head t.
    func apply(_ weights: TaskWeights) {
        for (task, head) in model.headParameters.enumerated() {
            for (parameter, gradient) in zip(head, headGradients[task]) { parameter.grad = Float(weights.heads[task]) * gradient }
        }
        let shared = model.sharedParameters
        let sharedGradients = self.sharedGradients.map { perTask in
            shared.indices.map { i in
                var total = Tensor(zeros: shared[i].shape)
                for task in 0..<taskCount where weights.shared[task] != 0 { total.add(perTask[task][i], scaledBy: Float(weights.shared[task])) }
                return total
            }
        } ?? trunkGradients(weights: weights.shared, withRespectTo: shared)
        for (parameter, gradient) in zip(shared, sharedGradients) { parameter.grad = gradient }
    }

    private func innerProducts(_ vectors: [[Tensor]]) -> [[Double]] {
        var products = Array(repeating: [Double](repeating: 0, count: vectors.count), count: vectors.count)
        for t in vectors.indices {
            for u in t..<vectors.count {
                let value = zip(vectors[t], vectors[u]).reduce(0) { $0 + $1.0.dot($1.1) }
                products[t][u] = value
                products[u][t] = value
            }
        }
        return products
    }
}
