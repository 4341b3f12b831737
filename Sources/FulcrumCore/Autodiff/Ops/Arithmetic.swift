import Foundation

// Element-wise arithmetic and reductions. Each op computes its value and, beside it, its pullback.

public func + (a: Variable, b: Variable) -> Variable {
    Variable(a.value + b.value, parents: [a, b]) { g, needed in [g, g] }
}

public func - (a: Variable, b: Variable) -> Variable {
    Variable(a.value - b.value, parents: [a, b]) { g, needed in [g, (-1) * g] }
}

/// Element-wise (Hadamard) product.
public func * (a: Variable, b: Variable) -> Variable {
    Variable(a.value * b.value, parents: [a, b]) { g, needed in
        [needed[0] ? g * b.value : nil, needed[1] ? g * a.value : nil]
    }
}

/// A constant times a variable: how a task weight scales its loss.
public func * (c: Float, a: Variable) -> Variable {
    Variable(c * a.value, parents: [a]) { g, needed in [c * g] }
}

/// Adds a bias vector of shape [n] to every row of a matrix of shape [rows, n].
public func addingRowVector(_ x: Variable, _ bias: Variable) -> Variable {
    precondition(x.value.rank == 2 && bias.value.shape == [x.value.columns],
                 "addingRowVector: matrix \(x.shape) and bias \(bias.shape), expected bias [\(x.value.rank == 2 ? x.value.columns : -1)]")
    let rows = x.value.rows, columns = x.value.columns
    let out = x.value.scalars.withUnsafeBufferPointer { source in
        bias.value.scalars.withUnsafeBufferPointer { b in
            Tensor(shape: x.shape) { target in
                for r in 0..<rows { for c in 0..<columns { target[r * columns + c] = source[r * columns + c] + b[c] } }
            }
        }
    }
    return Variable(out, parents: [x, bias]) { g, needed in
        guard needed[1] else { return [g, nil] }
        var sums = [Float](repeating: 0, count: columns)
        g.scalars.withUnsafeBufferPointer { gradient in
            sums.withUnsafeMutableBufferPointer { total in
                for r in 0..<rows { for c in 0..<columns { total[c] += gradient[r * columns + c] } }
            }
        }
        return [g, Tensor(shape: [columns], scalars: sums)]
    }
}

/// Σ of all elements, as a scalar.
public func sum(_ x: Variable) -> Variable {
    Variable(Tensor(scalar: x.value.sum()), parents: [x]) { g, needed in
        [Tensor(repeating: g.scalar, shape: x.shape)]
    }
}

/// Mean of all elements, as a scalar.
public func mean(_ x: Variable) -> Variable {
    let n = Float(max(x.value.count, 1))
    return Variable(Tensor(scalar: x.value.sum() / n), parents: [x]) { g, needed in
        [Tensor(repeating: g.scalar / n, shape: x.shape)]
    }
}
