/// A node of the reverse-mode autodiff graph: a value, and how to push a gradient back to the
/// values it was computed from. Ops are plain functions that build nodes (see `Ops/`).
public final class Variable {
    public private(set) var value: Tensor
    /// The accumulated gradient of a leaf that requires one (a parameter, or a cut point).
    public var grad: Tensor?
    public let requiresGrad: Bool

    let parents: [Variable]
    /// Maps the gradient of this node to one gradient per parent (nil where a parent needs none).
    let pullback: ((Tensor) -> [Tensor?])?

    /// A leaf: an input (`requiresGrad: false`) or a parameter.
    public init(_ value: Tensor, requiresGrad: Bool = false) {
        self.value = value
        self.requiresGrad = requiresGrad
        self.parents = []
        self.pullback = nil
    }

    /// An interior node; it needs a gradient if any parent does.
    init(_ value: Tensor, parents: [Variable], pullback: @escaping (Tensor) -> [Tensor?]) {
        self.value = value
        self.parents = parents
        self.requiresGrad = parents.contains { $0.requiresGrad }
        self.pullback = requiresGrad ? pullback : nil
    }

    public var shape: [Int] { value.shape }

    /// Changes a leaf's scalars in place (an optimizer's update); the shape stays.
    public func updateScalars(_ body: (inout [Float]) -> Void) {
        precondition(isLeaf, "updateScalars: only a leaf (a parameter) may change its value")
        let count = value.count
        body(&value.scalars)
        precondition(value.count == count, "updateScalars: the update changed the element count")
    }
    public var isLeaf: Bool { parents.isEmpty }

    /// Back-propagates `seed` (default 1, for a scalar) and adds the gradients into the leaves.
    public func backward(seed: Tensor? = nil) {
        let seed = seed ?? Tensor(repeating: 1, shape: value.shape)
        precondition(seed.shape == value.shape, "backward: seed of shape \(seed.shape) for a value of shape \(value.shape)")
        guard requiresGrad else { return }

        var gradients: [ObjectIdentifier: Tensor] = [ObjectIdentifier(self): seed]
        for node in topologicalOrder().reversed() {
            guard let gradient = gradients.removeValue(forKey: ObjectIdentifier(node)) else { continue }
            if node.isLeaf {
                if node.grad == nil { node.grad = gradient } else { node.grad!.add(gradient) }
                continue
            }
            let parentGradients = node.pullback!(gradient)
            for (parent, parentGradient) in zip(node.parents, parentGradients) {
                guard parent.requiresGrad, let parentGradient else { continue }
                precondition(parentGradient.shape == parent.value.shape,
                             "backward: gradient of shape \(parentGradient.shape) for a value of shape \(parent.value.shape)")
                let key = ObjectIdentifier(parent)
                if gradients[key] == nil { gradients[key] = parentGradient } else { gradients[key]!.add(parentGradient) }
            }
        }
    }

    /// Nodes that need a gradient, each after all of its parents (iterative DFS: deep graphs are fine).
    private func topologicalOrder() -> [Variable] {
        var order: [Variable] = []
        var visited: Set<ObjectIdentifier> = []
        var stack: [(node: Variable, expanded: Bool)] = [(self, false)]
        while let (node, expanded) = stack.popLast() {
            if expanded { order.append(node); continue }
            guard visited.insert(ObjectIdentifier(node)).inserted else { continue }
            stack.append((node, true))
            for parent in node.parents where parent.requiresGrad && !visited.contains(ObjectIdentifier(parent)) {
                stack.append((parent, false))
            }
        }
        return order
    }
}
