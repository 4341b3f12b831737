/// a · b for matrices [m, k] · [k, n]; both gradients are matrix products too (BLAS).
public func matmul(_ a: Variable, _ b: Variable) -> Variable {
    Variable(Tensor.matmul(a.value, b.value), parents: [a, b]) { g, needed in
        [needed[0] ? Tensor.matmul(g, b.value, transposeB: true) : nil,   // ∂/∂a = g · bᵀ
         needed[1] ? Tensor.matmul(a.value, g, transposeA: true) : nil]   // ∂/∂b = aᵀ · g
    }
}
