import Foundation

/// max(0, x); the subgradient at 0 is taken as 0.
public func relu(_ x: Variable) -> Variable {
    Variable(x.value.mapped { max($0, 0) }, parents: [x]) { g, needed in
        [g.zipped(with: x.value) { gi, xi in xi > 0 ? gi : 0 }]
    }
}

/// tanh(x); d/dx = 1 − tanh²(x).
public func tanh(_ x: Variable) -> Variable {
    let y = x.value.mapped { Foundation.tanh($0) }
    return Variable(y, parents: [x]) { g, needed in
        [g.zipped(with: y) { gi, yi in gi * (1 - yi * yi) }]
    }
}

/// σ(x) = 1 / (1 + e^(−x)); d/dx = σ(1 − σ).
public func sigmoid(_ x: Variable) -> Variable {
    let y = x.value.mapped(stableSigmoid)
    return Variable(y, parents: [x]) { g, needed in
        [g.zipped(with: y) { gi, yi in gi * yi * (1 - yi) }]
    }
}

/// σ(x) without overflow for large |x|.
@inlinable
public func stableSigmoid(_ x: Float) -> Float {
    x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x))
}

/// GELU(x) = x · Φ(x) with the exact Gaussian CDF Φ (Hendrycks & Gimpel 2016);
/// d/dx = Φ(x) + x · φ(x).
public func gelu(_ x: Variable) -> Variable {
    let cdf = x.value.mapped { 0.5 * (1 + erf($0 / Float(2).squareRoot())) }
    return Variable(x.value * cdf, parents: [x]) { g, _ in
        [Tensor(shape: x.shape, scalars: (0..<x.value.count).map { i in
            let v = x.value.scalars[i]
            let density = exp(-0.5 * v * v) / Float(2 * Float.pi).squareRoot()
            return g.scalars[i] * (cdf.scalars[i] + v * density)
        })]
    }
}
