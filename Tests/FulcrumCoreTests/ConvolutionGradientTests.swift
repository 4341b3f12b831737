import Foundation
import FulcrumCore
import Testing

/// Convolution, pooling and reshaping against finite differences, over several shapes, strides and paddings.
@Suite("Finite-difference gradients: convolution and pooling")
struct ConvolutionGradientTests {
    func projected(_ x: Variable) -> Variable { sum(x * Variable(sampleTensor(x.shape, seed: 77))) }

    struct ConvolutionCase: CustomTestStringConvertible, Sendable {
        let input: [Int], kernel: Int, filters: Int, stride: Int, padding: Int
        var testDescription: String { "input \(input) k\(kernel) f\(filters) s\(stride) p\(padding)" }
    }

    @Test(arguments: [
        ConvolutionCase(input: [2, 5, 5, 1], kernel: 3, filters: 2, stride: 1, padding: 0),
        ConvolutionCase(input: [1, 6, 5, 3], kernel: 3, filters: 4, stride: 2, padding: 1),
        ConvolutionCase(input: [2, 4, 4, 2], kernel: 2, filters: 3, stride: 2, padding: 0),
        ConvolutionCase(input: [1, 5, 5, 2], kernel: 5, filters: 2, stride: 1, padding: 2),
        ConvolutionCase(input: [1, 3, 3, 1], kernel: 1, filters: 2, stride: 1, padding: 1),
    ])
    func convolution(_ c: ConvolutionCase) {
        let channels = c.input[3]
        expectGradientsMatchFiniteDifferences([
            sampleTensor(c.input, seed: 1),
            sampleTensor([c.kernel * c.kernel * channels, c.filters], seed: 2),
            sampleTensor([c.filters], seed: 3),
        ]) { v in
            projected(conv2d(v[0], v[1], v[2], kernel: (c.kernel, c.kernel), stride: c.stride, padding: c.padding))
        }
    }

    /// conv2d against the definition, summed directly over the window.
    @Test func convolutionMatchesTheDefinition() {
        let x = sampleTensor([1, 4, 5, 2], seed: 4), w = sampleTensor([3 * 3 * 2, 3], seed: 5), b = sampleTensor([3], seed: 6)
        let y = conv2d(Variable(x), Variable(w), Variable(b), kernel: (3, 3), stride: 2, padding: 1).value
        #expect(y.shape == [1, 2, 3, 3])
        for oh in 0..<2 {
            for ow in 0..<3 {
                for f in 0..<3 {
                    var expected = b.scalars[f]
                    for kh in 0..<3 {
                        for kw in 0..<3 {
                            let ih = oh * 2 - 1 + kh, iw = ow * 2 - 1 + kw
                            guard (0..<4).contains(ih), (0..<5).contains(iw) else { continue }
                            for ch in 0..<2 {
                                expected += x.scalars[(ih * 5 + iw) * 2 + ch] * w.scalars[((kh * 3 + kw) * 2 + ch) * 3 + f]
                            }
                        }
                    }
                    #expect(abs(y.scalars[(oh * 3 + ow) * 3 + f] - expected) < 1e-5)
                }
            }
        }
    }

    @Test(arguments: [([2, 4, 4, 3], 2), ([1, 6, 6, 2], 3), ([1, 5, 4, 1], 2)])
    func maxPooling(shape: [Int], size: Int) {
        // Distinct values, so no window has a tie for its maximum.
        let values = (0..<shape.reduce(1, *)).map { Float(($0 * 37) % 101) / 10 - 5 }
        expectGradientsMatchFiniteDifferences([Tensor(shape: shape, scalars: values)], epsilon: 1e-2) { v in
            projected(maxPool2d(v[0], size: size))
        }
    }

    @Test(arguments: [([2, 4, 4, 3], 2), ([1, 6, 6, 2], 3)])
    func averagePooling(shape: [Int], size: Int) {
        expectGradientsMatchFiniteDifferences([sampleTensor(shape, seed: 8)]) { v in projected(avgPool2d(v[0], size: size)) }
    }

    /// Sixteen channels take the eight-lane path: values and gradient routing against a direct search.
    @Test func maxPoolingOverManyChannelsMatchesADirectSearch() {
        let shape = [2, 4, 6, 16]
        let x = Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { Float(($0 * 7919) % 1009) })
        let input = Variable(x, requiresGrad: true)
        let pooled = maxPool2d(input, size: 2)
        pooled.backward(seed: sampleTensor(pooled.shape, seed: 3))
        var expectedGradient = Tensor(zeros: shape)
        for b in 0..<2 {
            for oh in 0..<2 {
                for ow in 0..<3 {
                    for c in 0..<16 {
                        var best = -Float.infinity, bestOffset = 0
                        for kh in 0..<2 {
                            for kw in 0..<2 {
                                let offset = ((b * 4 + 2 * oh + kh) * 6 + 2 * ow + kw) * 16 + c
                                if x.scalars[offset] > best { (best, bestOffset) = (x.scalars[offset], offset) }
                            }
                        }
                        let out = ((b * 2 + oh) * 3 + ow) * 16 + c
                        #expect(pooled.value.scalars[out] == best)
                        expectedGradient.scalars[bestOffset] += sampleTensor(pooled.shape, seed: 3).scalars[out]
                    }
                }
            }
        }
        #expect(input.grad == expectedGradient)
    }

    @Test func poolingValues() {
        let x = Tensor(shape: [1, 2, 2, 1], scalars: [1, 4, -2, 3])
        #expect(maxPool2d(Variable(x), size: 2).value.scalars == [4])
        #expect(avgPool2d(Variable(x), size: 2).value.scalars == [1.5])
    }

    @Test func reshapeFlattenAndConcatenate() {
        expectGradientsMatchFiniteDifferences([sampleTensor([2, 2, 3, 1], seed: 9)]) { v in projected(flatten(v[0])) }
        expectGradientsMatchFiniteDifferences([sampleTensor([3, 2], seed: 10), sampleTensor([3, 4], seed: 11)]) { v in
            projected(concatenateColumns([v[0], v[1]]))
        }
    }
}

@Suite("Finite-difference gradients: normalisation, GELU, dropout, robust and focal losses")
struct LayerGradientTests {
    func projected(_ x: Variable) -> Variable { sum(x * Variable(sampleTensor(x.shape, seed: 78))) }

    @Test func layerNormalisation() {
        expectGradientsMatchFiniteDifferences([sampleTensor([3, 5], seed: 1, scale: 2), sampleTensor([5], seed: 2), sampleTensor([5], seed: 3)],
                                              epsilon: 5e-3) { v in
            projected(layerNorm(v[0], gain: v[1], bias: v[2]))
        }
    }

    @Test func layerNormalisationStandardisesRows() {
        let y = layerNorm(Variable(Tensor(shape: [1, 4], scalars: [1, 2, 3, 6])), gain: Variable(Tensor(repeating: 1, shape: [4])),
                          bias: Variable(Tensor(zeros: [4])), epsilon: 0).value
        // mean 3, variance (4 + 1 + 0 + 9) / 4 = 3.5
        for (value, raw) in zip(y.scalars, [1.0, 2, 3, 6]) { #expect(abs(Double(value) - (raw - 3) / 3.5.squareRoot()) < 1e-5) }
    }

    @Test func gelu() {
        expectGradientsMatchFiniteDifferences([sampleTensor([3, 4], seed: 4, scale: 3)]) { v in projected(FulcrumCore.gelu(v[0])) }
        #expect(abs(FulcrumCore.gelu(Variable(Tensor(scalar: 1))).value.scalar - 0.8413447) < 1e-5)
    }

    @Test func dropoutScalesKeptUnitsAndKeepsItsMaskInTheGradient() {
        var generator = SeededGenerator(seed: 5)
        let x = Variable(Tensor(repeating: 2, shape: [1, 10_000]), requiresGrad: true)
        let y = dropout(x, rate: 0.25, generator: &generator)
        let kept = y.value.scalars.filter { $0 != 0 }
        #expect(kept.allSatisfy { abs($0 - 2 / 0.75) < 1e-6 })
        #expect(abs(Double(kept.count) / 10_000 - 0.75) < 0.02)
        y.backward()
        #expect(zip(x.grad!.scalars, y.value.scalars).allSatisfy { g, v in v == 0 ? g == 0 : abs(g - 1 / 0.75) < 1e-6 })
    }

    @Test func l1AndSmoothL1() {
        let targets = sampleTensor([4, 3], seed: 6)
        // Keep every difference away from the kinks at 0 and ±β.
        let predictions = targets + Tensor(shape: [4, 3], scalars: [0.3, -0.4, 1.6, -2, 0.2, -0.7, 1.3, 0.5, -0.35, 2.5, -1.4, 0.6])
        expectGradientsMatchFiniteDifferences([predictions]) { v in l1Loss(v[0], targets: targets) }
        expectGradientsMatchFiniteDifferences([predictions]) { v in smoothL1Loss(v[0], targets: targets, beta: 1) }
        let value = smoothL1Loss(Variable(Tensor(shape: [2], scalars: [0.5, 3])), targets: Tensor(zeros: [2])).value.scalar
        #expect(abs(value - (0.125 + 2.5) / 2) < 1e-6)
    }

    @Test(arguments: [Float(0), 1, 2, 0.5])
    func focal(gamma0: Float) {
        expectGradientsMatchFiniteDifferences([sampleTensor([5, 4], seed: 7, scale: 3)]) { v in
            focalLoss(v[0], labels: [0, 3, 1, 1, 2], gamma0: gamma0)
        }
        let targets = Tensor(shape: [4, 2], scalars: [1, 0, 0, 1, 1, 1, 0, 0])
        expectGradientsMatchFiniteDifferences([sampleTensor([4, 2], seed: 8, scale: 3)]) { v in
            binaryFocalLoss(v[0], targets: targets, gamma0: gamma0)
        }
    }

    /// FL(p; γ₀) = −(1 − p)^γ₀ log p, computed here from the softmax; γ₀ = 0 equals the cross-entropy.
    @Test func focalValuesFollowTheFormula() {
        let logits = Tensor(shape: [2, 3], scalars: [1, 2, 0.5, -1, 0, 3])
        let labels = [1, 0]
        func expected(_ gamma: Double) -> Double {
            (0..<2).map { r -> Double in
                let row: [Double] = (0..<3).map { Double(logits[r, $0]) }
                let normaliser: Double = row.map { exp($0) }.reduce(0, +)
                let p: Double = exp(row[labels[r]]) / normaliser
                return -pow(1 - p, gamma) * log(p)
            }.reduce(0, +) / 2
        }
        for gamma in [0.0, 1, 2] {
            #expect(abs(Double(focalLoss(Variable(logits), labels: labels, gamma0: Float(gamma)).value.scalar) - expected(gamma)) < 1e-5)
        }
        #expect(focalLoss(Variable(logits), labels: labels, gamma0: 0).value == softmaxCrossEntropy(Variable(logits), labels: labels).value)
    }
}
