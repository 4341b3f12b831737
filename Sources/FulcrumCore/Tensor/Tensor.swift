/// A dense, row-major Float32 array with a shape. A value type: copies are cheap until written.
public struct Tensor: Equatable, Sendable {
    public let shape: [Int]
    public var scalars: [Float]

    public init(shape: [Int], scalars: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in shape \(shape)")
        precondition(shape.reduce(1, *) == scalars.count,
                     "Tensor: shape \(shape) holds \(shape.reduce(1, *)) scalars, got \(scalars.count)")
        self.shape = shape
        self.scalars = scalars
    }

    public init(repeating value: Float, shape: [Int]) {
        self.init(shape: shape, scalars: [Float](repeating: value, count: shape.reduce(1, *)))
    }

    public init(zeros shape: [Int]) { self.init(repeating: 0, shape: shape) }

    /// A rank-0 tensor holding one number (losses are scalars).
    public init(scalar: Float) { self.init(shape: [], scalars: [scalar]) }

    public var count: Int { scalars.count }
    public var rank: Int { shape.count }

    /// The single value of a one-element tensor.
    public var scalar: Float {
        precondition(count == 1, "Tensor.scalar: tensor of shape \(shape) is not a scalar")
        return scalars[0]
    }

    /// Rows and columns of a matrix.
    public var rows: Int { precondition(rank == 2, "Tensor.rows: rank \(rank), expected 2"); return shape[0] }
    public var columns: Int { precondition(rank == 2, "Tensor.columns: rank \(rank), expected 2"); return shape[1] }

    public subscript(row: Int, column: Int) -> Float {
        get { scalars[row * shape[1] + column] }
        set { scalars[row * shape[1] + column] = newValue }
    }

    /// The same scalars under another shape with the same element count.
    public func reshaped(_ newShape: [Int]) -> Tensor { Tensor(shape: newShape, scalars: scalars) }

    /// A tensor whose scalars `initialize` writes, every one of them (no zero-fill first).
    public init(shape: [Int], initializingWith initialize: (UnsafeMutableBufferPointer<Float>) -> Void) {
        let count = shape.reduce(1, *)
        self.init(shape: shape, scalars: [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            initialize(buffer)
            initialized = count
        })
    }

    /// Rows `indices` of a matrix (or of any tensor, along its first axis), in that order.
    public func gatheringRows(_ indices: [Int]) -> Tensor {
        precondition(rank >= 1, "Tensor.gatheringRows: rank-0 tensor")
        let width = count / max(shape[0], 1)
        let rows = shape[0]
        return scalars.withUnsafeBufferPointer { source in
            Tensor(shape: [indices.count] + shape.dropFirst()) { target in
                for (i, row) in indices.enumerated() {
                    precondition(row >= 0 && row < rows, "Tensor.gatheringRows: row \(row) out of 0..<\(rows)")
                    (target.baseAddress! + i * width).update(from: source.baseAddress! + row * width, count: width)
                }
            }
        }
    }

    /// Element-wise combination of two tensors of the same shape.
    @inlinable
    public func zipped(with other: Tensor, _ combine: (Float, Float) -> Float) -> Tensor {
        precondition(shape == other.shape, "Tensor.zipped: shapes \(shape) and \(other.shape) differ")
        return scalars.withUnsafeBufferPointer { a in
            other.scalars.withUnsafeBufferPointer { b in
                Tensor(shape: shape) { out in
                    for i in 0..<out.count { out[i] = combine(a[i], b[i]) }
                }
            }
        }
    }

    @inlinable
    public func mapped(_ transform: (Float) -> Float) -> Tensor {
        scalars.withUnsafeBufferPointer { a in
            Tensor(shape: shape) { out in
                for i in 0..<out.count { out[i] = transform(a[i]) }
            }
        }
    }

    public static func + (lhs: Tensor, rhs: Tensor) -> Tensor { lhs.zipped(with: rhs, +) }
    public static func - (lhs: Tensor, rhs: Tensor) -> Tensor { lhs.zipped(with: rhs, -) }
    public static func * (lhs: Tensor, rhs: Tensor) -> Tensor { lhs.zipped(with: rhs, *) }
    public static func * (lhs: Float, rhs: Tensor) -> Tensor { rhs.mapped { lhs * $0 } }

    /// In-place `self += scale * other`; the accumulation of gradients.
    public mutating func add(_ other: Tensor, scaledBy scale: Float = 1) {
        precondition(shape == other.shape, "Tensor.add: shapes \(shape) and \(other.shape) differ")
        scalars.withUnsafeMutableBufferPointer { target in
            other.scalars.withUnsafeBufferPointer { source in
                for i in 0..<target.count { target[i] += scale * source[i] }
            }
        }
    }

    public func sum() -> Float { scalars.reduce(0, +) }
}
