import Foundation
import FulcrumCore
import FulcrumLua
import Testing

/// policies/aligned_mtl.lua against Aligned-MTL (Senushkin et al., CVPR 2023), computed here: the
/// eigendecomposition of the Gram matrix by a Swift Jacobi, B = σ̂ V Σ⁻¹ Vᵀ on the kept eigenvalues, α = B·1.
@Suite("Aligned-MTL policy")
struct AlignedMTLPolicyTests {
    struct Expected {
        var alpha: [Double]
        var negative: Bool
        var b: [[Double]]
        var sigma: Double
        var rank: Int
    }

    static func expected(_ gram: [[Double]], mode: String = "min", clip: Bool = false) -> Expected {
        let count = gram.count
        let (values, v) = LinalgFixtures.symmetricEigen(gram)
        let tolerance = (values.max() ?? 0) * Double(count) * Double(Float.ulpOfOne)   // torch.finfo(float32).eps
        let kept = (0..<count).filter { values[$0] > tolerance }
        let keptValues = kept.map { values[$0] }.sorted()
        let sigmaSquared: Double = switch mode {
        case "rmse": keptValues.reduce(0, +) / Double(keptValues.count)
        case "median": keptValues[(keptValues.count - 1) / 2]   // torch.median: the lower middle
        default: keptValues[0]
        }
        let sigma = sigmaSquared.squareRoot()
        var b = [[Double]](repeating: [Double](repeating: 0, count: count), count: count)
        for i in 0..<count {
            for j in 0..<count {
                b[i][j] = sigma * kept.map { v[i][$0] * v[j][$0] / values[$0].squareRoot() }.reduce(0, +)
            }
        }
        var alpha = b.map { $0.reduce(0, +) }
        let total = alpha.reduce(0, +)
        let negative = alpha.contains { $0 < 0 }
        if negative && clip {
            alpha = alpha.map { max($0, 0) }
            let positive = alpha.reduce(0, +)
            alpha = alpha.map { $0 * total / positive }
        }
        return Expected(alpha: alpha, negative: negative, b: b, sigma: sigma, rank: kept.count)
    }

    /// The aligned gradients ĝ_j = Σ_t g_t B_tj, on the vectors.
    static func aligned(_ gradients: [[Double]], _ b: [[Double]]) -> [[Double]] {
        (0..<gradients.count).map { j in Linear.combine(gradients, gradients.indices.map { b[$0][j] }) }
    }

    /// g_1 = (3, 0), g_2 = (0, 1): G = diag(9, 1), σ = (3, 1). "min": B = 1·diag(1/3, 1), α = (1/3, 1), and the
    /// aligned gradients are (1, 0), (0, 1). "rmse": σ̂ = √((9 + 1)/2) = √5. "median" of two: the lower, 1.
    @Test func orthogonalGradientsAreScaledToTheSmallestNorm() throws {
        let trace = LinalgFixtures.trace(gradients: [[[3, 0], [0, 1]]])
        let minimum = try run("aligned_mtl", on: trace).weights[0]
        #expect(Linear.maxDifference(minimum.shared, [1.0 / 3, 1]) < 1e-14)
        #expect(minimum.heads == [1, 1], "the heads keep their own gradients")
        let rmse = try run("aligned_mtl", options: ["scale_mode": .string("rmse")], on: trace).weights[0]
        #expect(Linear.maxDifference(rmse.shared, [sqrt(5.0) / 3, sqrt(5.0)]) < 1e-14)
        let median = try run("aligned_mtl", options: ["scale_mode": .string("median")], on: trace).weights[0]
        #expect(Linear.maxDifference(median.shared, [1.0 / 3, 1]) < 1e-14)
    }

    /// Norms 1, 2, 3 along the axes: λ = (1, 4, 9); the median is 4, so σ̂ = 2 and α = 2·(1, 1/2, 1/3).
    @Test func medianScaleOfThreeOrthogonalGradients() throws {
        let trace = LinalgFixtures.trace(gradients: [[[1, 0, 0], [0, 2, 0], [0, 0, 3]]])
        let median = try run("aligned_mtl", options: ["scale_mode": .string("median")], on: trace).weights[0]
        #expect(Linear.maxDifference(median.shared, [2, 1, 2.0 / 3]) < 1e-14)
    }

    @Test(arguments: [(2, false), (3, false), (4, false), (5, false), (4, true), (5, true)])
    func matchesTheAlignmentComputedHereOnRandomTraces(tasks: Int, clip: Bool) throws {
        var negativeSteps = 0
        for mode in ["min", "median", "rmse"] {
            let trace = PolicyTrace.random(tasks: tasks, steps: 15, seed: 60 + UInt64(tasks))
            let (weights, logs) = try run("aligned_mtl", options: ["scale_mode": .string(mode), "clip_negative": .boolean(clip)], on: trace)
            for (step, gradients) in trace.gradients.enumerated() {
                let expected = Self.expected(trace.steps[step].gram!, mode: mode, clip: clip)
                // The expectation itself: the aligned gradients are orthogonal with equal norms σ̂.
                let aligned = Self.aligned(gradients, expected.b)
                let gramOfAligned = Linear.gram(aligned)
                for i in 0..<tasks {
                    let row = (0..<tasks).map { i == $0 ? expected.sigma * expected.sigma : 0 }
                    #expect(Linear.maxDifference(gramOfAligned[i], row) < 1e-9 * expected.sigma * expected.sigma)
                }
                let scale = expected.alpha.map(abs).max() ?? 1
                #expect(Linear.maxDifference(weights[step].shared, expected.alpha) < 1e-6 * scale,
                        "T = \(tasks), \(mode), step \(step + 1): \(weights[step].shared) vs \(expected.alpha)")
                #expect(logs[step].contains { $0.name == (clip ? "aligned_clipped" : "aligned_negative") } == expected.negative)
                if expected.negative { negativeSteps += 1 }
            }
        }
        #expect(tasks < 4 || negativeSteps > 0, "the traces of four and five tasks exercise negative coefficients")
    }

    /// Four tasks whose gradients span only 2 dimensions: the two zero eigenvalues are dropped, and the
    /// aligned gradients form an orthogonal system of norm σ̂ on the span: ĜᵀĜ = σ̂² V_r V_rᵀ.
    @Test func rankDeficientGradientsAreAlignedOnTheirSpan() throws {
        let trace = PolicyTrace.random(tasks: 4, steps: 10, seed: 5, dimension: 2)
        let (weights, _) = try run("aligned_mtl", on: trace)
        for (step, gradients) in trace.gradients.enumerated() {
            let gram = trace.steps[step].gram!
            let expected = Self.expected(gram)
            #expect(expected.rank == 2)
            let scale = expected.alpha.map(abs).max() ?? 1
            #expect(Linear.maxDifference(weights[step].shared, expected.alpha) < 1e-6 * scale)
            // BᵀGB = σ̂² P with P the projector onto the kept eigenvectors: P² = P, trace P = 2.
            let sigmaSquared = expected.sigma * expected.sigma
            let p: [[Double]] = Linear.gram(Self.aligned(gradients, expected.b)).map { row in row.map { $0 / sigmaSquared } }
            for i in 0..<4 {
                let pSquaredRow: [Double] = (0..<4).map { j in Linear.dot(p[i], p.map { $0[j] }) }
                #expect(Linear.maxDifference(pSquaredRow, p[i]) < 1e-8)
            }
            let traceOfP: Double = p[0][0] + p[1][1] + p[2][2] + p[3][3]
            #expect(abs(traceOfP - 2) < 1e-8)
        }
    }

    @Test func zeroGradientsGiveUnitWeights() throws {
        let (weights, logs) = try run("aligned_mtl", on: LinalgFixtures.trace(gradients: [[[0, 0], [0, 0]]]))
        #expect(weights[0].shared == [1, 1])
        #expect(logs[0] == [PolicyLog(name: "aligned_singular", value: 1)])
    }

    @Test func anUnknownScaleModeIsAnInitError() throws {
        let error = try #require(try LinalgFixtures.initError("aligned_mtl", ["scale_mode": .string("max")]))
        #expect(error.phase == .initialisation)
        #expect(error.message.contains("aligned_mtl: scale_mode must be"))
        #expect(try LinalgFixtures.initError("aligned_mtl", ["scale_mode": .string("rmse")]) == nil)
    }
}
