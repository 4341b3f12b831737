import Foundation
import FulcrumCore
import Testing

/// Loss values against the formulas, computed here in Double without the code under test.
@Suite("Loss values")
struct LossValueTests {
    @Test func softmaxCrossEntropyIsMeanNegativeLogLikelihood() {
        let logits: [[Double]] = [[1, 2, 0.5], [-1, 0, 3]]
        let labels = [1, 0]
        let expected = zip(logits, labels).map { row, label in
            -(row[label] - log(row.map(exp).reduce(0, +)))
        }.reduce(0, +) / 2
        let loss = softmaxCrossEntropy(Variable(Tensor(shape: [2, 3], scalars: logits.flatMap { $0.map(Float.init) })), labels: labels)
        #expect(abs(Double(loss.value.scalar) - expected) < 1e-5)
    }

    @Test func binaryCrossEntropyMatchesLogSigmoidForm() {
        let x: [Double] = [2, -1, 0.5, -30]
        let y: [Double] = [1, 0, 0, 1]
        let expected = zip(x, y).map { x, y -> Double in
            let p = 1 / (1 + exp(-x))
            return -(y * log(p) + (1 - y) * log(1 - p))
        }.reduce(0, +) / 4
        let loss = binaryCrossEntropyWithLogits(Variable(Tensor(shape: [4, 1], scalars: x.map(Float.init))),
                                                targets: Tensor(shape: [4, 1], scalars: y.map(Float.init)))
        #expect(abs(Double(loss.value.scalar) - expected) < 1e-4)
    }

    @Test func meanSquaredErrorAveragesOverAllElements() {
        let loss = meanSquaredError(Variable(Tensor(shape: [2, 2], scalars: [1, 2, 3, 4])),
                                    targets: Tensor(shape: [2, 2], scalars: [0, 2, 5, 1]))
        #expect(loss.value.scalar == Float(1 + 0 + 4 + 9) / 4)
    }

    @Test func matrixProductMatchesNaiveLoops() {
        let a = sampleTensor([4, 3], seed: 1), b = sampleTensor([3, 5], seed: 2)
        let product = Tensor.matmul(a, b)
        for i in 0..<4 {
            for j in 0..<5 {
                let expected = (0..<3).reduce(Float(0)) { $0 + a[i, $1] * b[$1, j] }
                #expect(abs(product[i, j] - expected) < 1e-5)
            }
        }
        let transposed = Tensor.matmul(b, a, transposeA: true, transposeB: true)  // (a·b)ᵀ = bᵀ·aᵀ
        for i in 0..<5 { for j in 0..<4 { #expect(abs(transposed[i, j] - product[j, i]) < 1e-5) } }
    }
}
