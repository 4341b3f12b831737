import Foundation
import FulcrumCore
import FulcrumLua
import Testing

/// CAGrad (Liu et al., NeurIPS 2021) against its problem, computed here from the gradient vectors:
/// w* = argmin_{w∈Δ} g_wᵀg_0 + c‖g_0‖‖g_w‖ (KKT, and no worse than an independent solver's w),
/// d = g_0 + (c‖g_0‖/‖g_w‖) g_w, shared weights K·(1/T + λw*) with the authors' K = T/(1 + c²).
@Suite("CAGrad policy")
struct CAGradPolicyTests {
    /// The authors' scale: rescale 0, 1, 2 → d, d/(1 + c²), d/(1 + c), times T (overwrite_grad).
    static func scale(tasks: Int, c: Double, rescale: Int) -> Double {
        Double(tasks) * [1, 1 / (1 + c * c), 1 / (1 + c)][rescale]
    }

    /// g_1 = (1, 0), g_2 = (0, 1): by symmetry w* = (½, ½), g_w = g_0, λ = c‖g_0‖/‖g_0‖ = c, so
    /// d = (1 + c) g_0 and each coefficient is K(½ + c/2): with c = ½, 0.75·K; K = 2/1.25, 2, 2/1.5.
    @Test func orthogonalGradientsOfEqualNorm() throws {
        let trace = SimplexReference.trace(gradients: [[1, 0], [0, 1]])
        for (rescale, expected) in [(1, 1.2), (0, 1.5), (2, 1.0)] {
            let result = try run("cagrad", options: ["rescale": .number(Double(rescale))], on: trace)
            #expect(Linear.maxDifference(result.weights[0].shared, [expected, expected]) < 1e-12, "rescale \(rescale)")
            #expect(result.weights[0].heads == [1, 1])
            #expect(abs(result.logs[0].first { $0.name == "lambda" }!.value - 0.5) < 1e-12)
        }
    }

    /// c = 0 is gradient descent on the mean loss, scaled by the authors' T: weights 1.
    @Test func cZeroIsEqualWeighting() throws {
        let trace = PolicyTrace.random(tasks: 4, steps: 3, seed: 21)
        let result = try run("cagrad", options: ["c": .number(0)], on: trace)
        for answer in result.weights { #expect(Linear.maxDifference(answer.shared, [1, 1, 1, 1]) < 1e-12) }
    }

    @Test(arguments: 2...5)
    func randomTracesSolveTheConflictAverseProblem(_ tasks: Int) throws {
        let c = 0.5
        let trace = PolicyTrace.random(tasks: tasks, steps: 6, seed: UInt64(60 + tasks))
        let result = try run("cagrad", on: trace)
        let k = Self.scale(tasks: tasks, c: c, rescale: 1)
        let count = Double(tasks)
        for (step, answer) in result.weights.enumerated() {
            let gradients = trace.gradients[step]
            let gram = Linear.gram(gradients)
            let size = gram.indices.map { gram[$0][$0] }.max()!
            // The policy's w* and λ, read back from its coefficients K(1/T + λ w*).
            let excess = answer.shared.map { $0 / k - 1 / count }
            let lambda = excess.reduce(0, +)
            let w = excess.map { $0 / lambda }
            #expect(SimplexReference.cagradConditionViolation(gram, c: c, w) <= 1e-8 * size, "T=\(tasks) step \(step + 1): w = \(w)")
            let reference = SimplexReference.cagradWeights(gram, c: c)
            #expect(SimplexReference.cagradObjective(gram, c: c, w).value
                    <= SimplexReference.cagradObjective(gram, c: c, reference).value + 1e-12 * size)
            // d from the vectors, with the reference w*.
            let g0 = Linear.scale(Linear.combine(gradients, [Double](repeating: 1, count: tasks)), 1 / count)
            let gw = Linear.combine(gradients, reference)
            let referenceLambda = c * Linear.norm(g0) / Linear.norm(gw)
            let expected = reference.map { k * (1 / count + referenceLambda * $0) }
            #expect(Linear.maxDifference(answer.shared, expected) < 1e-6 * max(1, expected.max()!), "T=\(tasks) step \(step + 1)")
            #expect(abs(result.logs[step].first { $0.name == "lambda" }!.value - lambda) < 1e-9 * max(1, lambda))
            // The guarantee: d stays in the ball ‖d − g_0‖ ≤ c‖g_0‖ (on its boundary) and, maximising the
            // least inner product over that ball, does no worse for the worst task than g_0 itself.
            let d = Linear.combine(gradients, answer.shared.map { $0 / k })
            let radius = c * Linear.norm(g0)
            #expect(abs(Linear.norm(Linear.add(d, g0, scaling: -1)) - radius) <= 1e-9 * max(1, radius))
            let worst = { (x: [Double]) in gradients.map { Linear.dot($0, x) }.min()! }
            #expect(worst(d) >= worst(g0) - 1e-9 * size)
            #expect(answer.heads.allSatisfy { $0 == 1 })
        }
    }

    /// Gradients of deficient rank (singular faces are skipped) and T = 11 (beyond the enumeration: the
    /// projected-gradient fallback) still solve the problem.
    @Test(arguments: [(4, 2), (5, 3), (3, 1), (11, 14)])
    func degenerateAndLargeProblems(_ shape: (tasks: Int, dimension: Int)) throws {
        let c = 0.5
        let trace = PolicyTrace.random(tasks: shape.tasks, steps: 4, seed: 26, dimension: shape.dimension)
        let result = try run("cagrad", on: trace)
        let k = Self.scale(tasks: shape.tasks, c: c, rescale: 1)
        for (step, answer) in result.weights.enumerated() {
            let gram = Linear.gram(trace.gradients[step])
            let size = gram.indices.map { gram[$0][$0] }.max()!
            let excess = answer.shared.map { $0 / k - 1 / Double(shape.tasks) }
            let w = excess.map { $0 / excess.reduce(0, +) }
            let reference = SimplexReference.cagradWeights(gram, c: c)
            #expect(SimplexReference.cagradObjective(gram, c: c, w).value
                    <= SimplexReference.cagradObjective(gram, c: c, reference).value + 1e-10 * size, "\(shape) step \(step + 1)")
            #expect(SimplexReference.cagradConditionViolation(gram, c: c, w) <= 1e-6 * size, "\(shape) step \(step + 1)")
            // Beyond the enumeration the fallback answers, and the policy says so at every step; an
            // exact answer logs nothing of the kind.
            let fallback = result.logs[step].first { $0.name == "solver_fallback" }?.value
            #expect(fallback == (shape.tasks > 10 ? 1 : nil), "\(shape) step \(step + 1)")
        }
    }

    /// The three rescalings differ only by the authors' factors.
    @Test func rescaleOptionsScaleTheSameDirection() throws {
        let trace = PolicyTrace.random(tasks: 3, steps: 4, seed: 22)
        let c = 0.3
        let answers = try (0...2).map { rescale in
            try run("cagrad", options: ["c": .number(c), "rescale": .number(Double(rescale))], on: trace).weights
        }
        for step in 0..<4 {
            for rescale in [0, 2] {
                let ratio = Self.scale(tasks: 3, c: c, rescale: rescale) / Self.scale(tasks: 3, c: c, rescale: 1)
                #expect(Linear.maxDifference(answers[rescale][step].shared, answers[1][step].shared.map { $0 * ratio }) < 1e-12)
            }
        }
    }

    @Test func badOptionsAreInitErrors() throws {
        let trace = PolicyTrace.random(tasks: 2, steps: 1, seed: 23)
        for (options, message) in [(["c": SettingValue.number(1)], "c must be in [0, 1)"), (["c": .number(-0.1)], "c must be in [0, 1)"),
                                   (["rescale": .number(3)], "rescale must be 0, 1 or 2")] {
            let error = try #require(throws: LuaPolicyError.self) { try run("cagrad", options: options, on: trace) }
            #expect(error.phase == .initialisation && error.message.contains(message))
        }
    }
}
