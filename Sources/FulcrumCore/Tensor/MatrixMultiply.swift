import CBLAS

extension Tensor {
    /// op(a) · op(b) through OpenBLAS `cblas_sgemm`, where op transposes when asked.
    public static func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
        precondition(a.rank == 2 && b.rank == 2, "matmul: operands of shapes \(a.shape) and \(b.shape), expected matrices")
        let m = transposeA ? a.shape[1] : a.shape[0]
        let k = transposeA ? a.shape[0] : a.shape[1]
        let kB = transposeB ? b.shape[1] : b.shape[0]
        let n = transposeB ? b.shape[0] : b.shape[1]
        precondition(k == kB, "matmul: inner dimensions differ, \(a.shape)\(transposeA ? "ᵀ" : "") · \(b.shape)\(transposeB ? "ᵀ" : "")")
        GEMMCounter.add(2 * m * n * k)
        guard m > 0 && n > 0 && k > 0 else { return Tensor(zeros: [m, n]) }
        // β = 0: sgemm writes every element of the output, so it need not be zero-filled first.
        return a.scalars.withUnsafeBufferPointer { pa in
            b.scalars.withUnsafeBufferPointer { pb in
                Tensor(shape: [m, n]) { pc in
                    cblas_sgemm(CblasRowMajor,
                                transposeA ? CblasTrans : CblasNoTrans,
                                transposeB ? CblasTrans : CblasNoTrans,
                                Int32(m), Int32(n), Int32(k), 1,
                                pa.baseAddress, Int32(a.shape[1]),
                                pb.baseAddress, Int32(b.shape[1]),
                                0, pc.baseAddress, Int32(n))
                }
            }
        }
    }
}

extension Tensor {
    /// Σ self·other over all elements (the Frobenius inner product), accumulated in double precision.
    public func dot(_ other: Tensor) -> Double {
        precondition(count == other.count, "Tensor.dot: \(count) and \(other.count) elements")
        return scalars.withUnsafeBufferPointer { a in
            other.scalars.withUnsafeBufferPointer { b in cblas_dsdot(Int32(count), a.baseAddress, 1, b.baseAddress, 1) }
        }
    }
}
