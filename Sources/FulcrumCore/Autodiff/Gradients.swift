/// Reverse-mode differentiation over a recorded graph.
public enum Gradients {
    /// The gradients of Σᵢ ⟨seedsᵢ, rootsᵢ⟩ with respect to each of `targets` (nil for a target no
    /// root depends on). Only nodes on a path from a root to a target are visited, and each op
    /// computes only the parent gradients that lead to a target — so asking for the last layer's
    /// gradient does not back-propagate through the layers below it. The graph is left as it was:
    /// the same forward pass can be differentiated again with other seeds.
    public static func of(_ roots: [Variable], seeds: [Tensor], withRespectTo targets: [Variable]) -> [Tensor?] {
        precondition(roots.count == seeds.count, "Gradients.of: \(roots.count) roots but \(seeds.count) seeds")
        let order = self.order(from: roots)
        var position: [ObjectIdentifier: Int] = [:]
        position.reserveCapacity(order.count)
        for (index, node) in order.enumerated() { position[ObjectIdentifier(node)] = index }

        // A node leads to a target if it is one or a parent does (parents come first in `order`).
        var isTarget = [Bool](repeating: false, count: order.count)
        for target in targets { if let index = position[ObjectIdentifier(target)] { isTarget[index] = true } }
        var leads = isTarget
        for (index, node) in order.enumerated() where !leads[index] {
            leads[index] = node.parents.contains { parent in position[ObjectIdentifier(parent)].map { leads[$0] } ?? false }
        }

        var gradients = [Tensor?](repeating: nil, count: order.count)
        func accumulate(_ gradient: Tensor, into index: Int) {
            precondition(gradient.shape == order[index].value.shape,
                         "Gradients.of: gradient of shape \(gradient.shape) for a value of shape \(order[index].value.shape)")
            if gradients[index] == nil { gradients[index] = gradient } else { gradients[index]!.add(gradient) }
        }
        for (root, seed) in zip(roots, seeds) {
            if let index = position[ObjectIdentifier(root)], leads[index] { accumulate(seed, into: index) }
        }
        for index in order.indices.reversed() {
            let node = order[index]
            guard leads[index], !node.isLeaf, let gradient = gradients[index] else { continue }
            if !isTarget[index] { gradients[index] = nil }  // free interior gradients as we go
            let parentIndices = node.parents.map { position[ObjectIdentifier($0)] }
            let needed = parentIndices.map { $0.map { leads[$0] } ?? false }
            for (parentIndex, parentGradient) in zip(parentIndices, node.pullback!(gradient, needed)) {
                guard let parentIndex, leads[parentIndex], let parentGradient else { continue }
                accumulate(parentGradient, into: parentIndex)
            }
        }
        return targets.map { target in position[ObjectIdentifier(target)].flatMap { gradients[$0] } }
    }

    /// Nodes that require a gradient and that the roots depend on, each after all of its parents
    /// (an iterative depth-first search, so deep graphs are fine).
    static func order(from roots: [Variable]) -> [Variable] {
        var order: [Variable] = []
        var visited: Set<ObjectIdentifier> = []
        var stack: [(node: Variable, expanded: Bool)] = roots.reversed().filter(\.requiresGrad).map { ($0, false) }
        while let (node, expanded) = stack.popLast() {
            if expanded { order.append(node); continue }
            guard visited.insert(ObjectIdentifier(node)).inserted else { continue }
            stack.append((node, true))
            for parent in node.parents.reversed() where parent.requiresGrad && !visited.contains(ObjectIdentifier(parent)) {
                stack.append((parent, false))
            }
        }
        return order
    }
}
