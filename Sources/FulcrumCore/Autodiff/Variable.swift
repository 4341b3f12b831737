/// A node of the reverse-mode autodiff graph: a value, and how to push a gradient back to the
/// values it was computed from. Ops are plain functions that build nodes (see `Ops/`).
public final class Variable {
    public private(set) var value: Tensor
    /// The accumulated gradient of a leaf that requires one (a parameter), set by `backward()`.
    public var grad: Tensor?
    public let requiresGrad: Bool

    let parents: [Variable]
    /// Maps the gradient of this node to one gradient per parent. `needed[i]` says whether parent i
    /// needs one; an op computes only those (nil elsewhere).
    let pullback: ((_ gradient: Tensor, _ needed: [Bool]) -> [Tensor?])?

    /// A leaf: an input (`requiresGrad: false`) or a parameter.
    public init(_ value: Tensor, requiresGrad: Bool = false) {
        self.value = value
        self.requiresGrad = requiresGrad
        self.parents = []
        self.pullback = nil
    }

    /// An interior node; it needs a gradient if any parent does.
    init(_ value: Tensor, parents: [Variable], pullback: @escaping (_ gradient: Tensor, _ needed: [Bool]) -> [Tensor?]) {
        self.value = value
        self.parents = parents
        self.requiresGrad = parents.contains { $0.requiresGrad }
        self.pullback = requiresGrad ? pullback : nil
    }

    public var shape: [Int] { value.shape }
    public var isLeaf: Bool { parents.isEmpty }

    /// Changes a leaf's scalars in place (an optimizer's update); the shape stays.
    public func updateScalars(_ body: (inout [Float]) -> Void) {
        precondition(isLeaf, "updateScalars: only a leaf (a parameter) may change its value")
        let count = value.count
        body(&value.scalars)
        precondition(value.count == count, "updateScalars: the update changed the element count")
    }

    /// Back-propagates `seed` (default all ones) and adds the gradients into every leaf that requires one.
    public func backward(seed: Tensor? = nil) {
        let seed = seed ?? Tensor(repeating: 1, shape: value.shape)
        let leaves = Gradients.order(from: [self]).filter(\.isLeaf)
        for (leaf, gradient) in zip(leaves, Gradients.of([self], seeds: [seed], withRespectTo: leaves)) {
            guard let gradient else { continue }
            if leaf.grad == nil { leaf.grad = gradient } else { leaf.grad!.add(gradient) }
        }
    }
}
