import Foundation
import FulcrumCore
import FulcrumLua
import Testing

/// policies/imtl.lua against IMTL-G (Liu et al., ICLR 2021, §3.2), computed here on the gradient vectors.
@Suite("IMTL-G policy")
struct IMTLPolicyTests {
    /// α_{2..T} = g_1 Uᵀ (D Uᵀ)⁻¹, α_1 = 1 − Σ α_{2..T}, from the explicit vectors; with `clip`, negative
    /// entries clipped at 0 and the rest renormalised to sum 1. nil when D Uᵀ is singular.
    static func expected(_ g: [[Double]], clip: Bool = false) -> (alpha: [Double], negative: Bool)? {
        let count = g.count
        guard count >= 2 else { return nil }
        let u = g.map { Linear.scale($0, 1 / Linear.norm($0)) }
        let d = (1..<count).map { Linear.add(g[0], g[$0], scaling: -1) }
        let uDifferences = (1..<count).map { Linear.add(u[0], u[$0], scaling: -1) }
        // The row vector x = α_{2..T} solves x (D Uᵀ) = g_1 Uᵀ, i.e. (D Uᵀ)ᵀ xᵀ = (g_1 Uᵀ)ᵀ.
        let dUt = d.map { di in uDifferences.map { Linear.dot(di, $0) } }
        let system = (0..<(count - 1)).map { j in (0..<(count - 1)).map { i in dUt[i][j] } }
        let right = uDifferences.map { Linear.dot(g[0], $0) }
        guard let rest = Linear.solve(system, right) else { return nil }
        var alpha = [1 - rest.reduce(0, +)] + rest
        let negative = alpha.contains { $0 < 0 }
        if negative && clip {
            alpha = alpha.map { max($0, 0) }
            let total = alpha.reduce(0, +)
            alpha = alpha.map { $0 / total }
        }
        return (alpha, negative)
    }

    /// g_1 = (1, 0), g_2 = (0, 2): equal projections α_1·1 = α_2·2 with α_1 + α_2 = 1 give α = (2/3, 1/3).
    @Test func orthogonalGradientsGetWeightsInverseToTheirNorms() throws {
        let trace = LinalgFixtures.trace(gradients: [[[1, 0], [0, 2]]])
        let answer = try run("imtl", on: trace).weights[0]
        #expect(Linear.maxDifference(answer.shared, [2.0 / 3, 1.0 / 3]) < 1e-12)
        #expect(answer.heads == [1, 1], "the heads keep their own gradients")
    }

    @Test(arguments: [(2, false), (3, false), (4, false), (5, false), (3, true), (5, true)])
    func matchesTheClosedFormOnRandomTraces(tasks: Int, clip: Bool) throws {
        for seed: UInt64 in 1...3 {
            let trace = PolicyTrace.random(tasks: tasks, steps: 20, seed: seed)
            let (weights, logs) = try run("imtl", options: ["clip_negative": .boolean(clip)], on: trace)
            for (step, gradients) in trace.gradients.enumerated() {
                let expected = try #require(Self.expected(gradients, clip: clip))
                #expect(Linear.maxDifference(weights[step].shared, expected.alpha) < 1e-6, "T = \(tasks), seed \(seed), step \(step + 1)")
                #expect(logs[step].contains { $0.name == (clip ? "imtl_clipped" : "imtl_negative") } == expected.negative)
                #expect(weights[step].heads == [Double](repeating: 1, count: tasks))
            }
        }
    }

    /// The defining property, checked on the vectors: g = Σ α_t g_t has g·u_t equal for every t, Σ α = 1.
    @Test(arguments: 2...5)
    func theAggregatedGradientHasEqualProjectionsOntoEveryTask(tasks: Int) throws {
        let trace = PolicyTrace.random(tasks: tasks, steps: 30, seed: 40 + UInt64(tasks))
        let (weights, logs) = try run("imtl", on: trace)
        var checked = 0
        for (step, gradients) in trace.gradients.enumerated() {
            let alpha = weights[step].shared
            let g = Linear.combine(gradients, alpha)
            let projections = gradients.map { Linear.dot(g, $0) / Linear.norm($0) }
            let scale = projections.map(abs).max() ?? 1
            #expect(Linear.maxDifference(projections, [Double](repeating: projections[0], count: tasks)) < 1e-9 * scale)
            #expect(abs(alpha.reduce(0, +) - 1) < 1e-12)
            if !logs[step].contains(where: { $0.name == "imtl_negative" }) {
                #expect(projections[0] > 0, "with α ≥ 0 the update decreases every loss to first order")
            }
            checked += 1
        }
        #expect(checked == 30)
    }

    /// g_1 = (1, 0, 0), g_2 = (2, 1, 2), g_3 = (0, 0, 1): the closed form is α = (0.6, −0.2, 0.6) (Σ α g_t =
    /// (0.2, −0.2, 0.2) has projection 0.2 onto every u_t). By default the trunk gets α as it is and the
    /// step logs imtl_negative; with clip_negative, α_2 is clipped at 0 and the rest renormalised to
    /// (0.5, 0, 0.5), and the step logs imtl_clipped.
    @Test func negativeWeightsAreKeptOrClippedOnRequestAndLogged() throws {
        let gradients: [[Double]] = [[1, 0, 0], [2, 1, 2], [0, 0, 1]]
        let kept = try run("imtl", on: LinalgFixtures.trace(gradients: [gradients]))
        #expect(Linear.maxDifference(kept.weights[0].shared, [0.6, -0.2, 0.6]) < 1e-12)
        #expect(kept.logs[0] == [PolicyLog(name: "imtl_negative", value: 1)])
        let clipped = try run("imtl", options: ["clip_negative": .boolean(true)], on: LinalgFixtures.trace(gradients: [gradients]))
        #expect(Linear.maxDifference(clipped.weights[0].shared, [0.5, 0, 0.5]) < 1e-12)
        #expect(clipped.logs[0] == [PolicyLog(name: "imtl_clipped", value: 1)])
    }

    @Test func degenerateStepsGiveUniformWeights() throws {
        let single = try run("imtl", on: LinalgFixtures.trace(gradients: [[[3, 4]]]))
        #expect(single.weights[0].shared == [1] && single.logs[0].isEmpty)

        let degenerate: [[[Double]]] = [
            [[1, 2, 0], [2, 4, 0], [-0.5, -1, 0]],   // collinear: D Uᵀ is singular
            [[1, 2, 0], [0, 0, 0], [0, 1, 1]],       // a zero gradient has no direction
        ]
        let (weights, logs) = try run("imtl", on: LinalgFixtures.trace(gradients: degenerate))
        for step in 0..<2 {
            #expect(Linear.maxDifference(weights[step].shared, [1.0 / 3, 1.0 / 3, 1.0 / 3]) < 1e-15)
            #expect(logs[step] == [PolicyLog(name: "imtl_singular", value: 1)])
        }
    }
}
