/// The same scalars under another shape (e.g. a flat input as [batch, height, width, channels]).
public func reshape(_ x: Variable, _ shape: [Int]) -> Variable {
    Variable(x.value.reshaped(shape), parents: [x]) { g, _ in [g.reshaped(x.shape)] }
}

/// Every dimension after the first folded into one: [batch, …] → [batch, features].
public func flatten(_ x: Variable) -> Variable {
    x.value.rank == 2 ? x : reshape(x, [x.shape[0], x.value.count / max(x.shape[0], 1)])
}

/// Matrices [rows, cᵢ] side by side: [rows, Σ cᵢ]. The pullback hands each part its columns back.
public func concatenateColumns(_ parts: [Variable]) -> Variable {
    precondition(!parts.isEmpty && parts.allSatisfy { $0.value.rank == 2 && $0.shape[0] == parts[0].shape[0] },
                 "concatenateColumns: expected matrices with the same number of rows, got \(parts.map(\.shape))")
    let rows = parts[0].shape[0]
    let widths = parts.map { $0.shape[1] }
    let total = widths.reduce(0, +)
    var out = [Float](repeating: 0, count: rows * total)
    var offset = 0
    for (part, width) in zip(parts, widths) {
        part.value.scalars.withUnsafeBufferPointer { source in
            for r in 0..<rows { for c in 0..<width { out[r * total + offset + c] = source[r * width + c] } }
        }
        offset += width
    }
    return Variable(Tensor(shape: [rows, total], scalars: out), parents: parts) { g, needed in
        var offset = 0
        return zip(widths, needed).map { width, isNeeded in
            defer { offset += width }
            guard isNeeded else { return nil }
            var piece = [Float](repeating: 0, count: rows * width)
            for r in 0..<rows { for c in 0..<width { piece[r * width + c] = g.scalars[r * total + offset + c] } }
            return Tensor(shape: [rows, width], scalars: piece)
        }
    }
}
