import Foundation
import FulcrumCore
import FulcrumLua
import Testing

/// MGDA and MGDA-UB (Sener & Koltun, NeurIPS 2018) against the min-norm property, computed here from the
/// gradient vectors: α = w_t·n_t lies on the simplex, satisfies Wolfe's condition on the Gram of the
/// normalised gradients g_t / n_t, and equals the enumeration reference; heads keep weight 1.
@Suite("MGDA policy (and what it shares with MGDA-UB)")
struct MGDAPolicyTests {
    static let normalizations = ["none", "l2", "loss", "loss+"]

    /// The authors' gradient_normalizers: 1, ‖g_t‖, L_t, L_t‖g_t‖.
    static func normalisers(_ normalization: String, gradients: [[Double]], losses: [Double]) -> [Double] {
        zip(gradients, losses).map { g, loss in
            switch normalization {
            case "l2": Linear.norm(g)
            case "loss": loss
            case "loss+": loss * Linear.norm(g)
            default: 1
            }
        }
    }

    /// Checks one step's answer against the min-norm problem of the normalised gradients.
    static func expectMinNorm(_ answer: TaskWeights, log: [PolicyLog], gradients: [[Double]], losses: [Double],
                              normalization: String, comment: String) {
        let n = normalisers(normalization, gradients: gradients, losses: losses)
        let normalised = zip(gradients, n).map { Linear.scale($0, 1 / $1) }
        let gram = Linear.gram(normalised)
        let alpha = zip(answer.shared, n).map { $0 * $1 }
        let scale = gram.indices.map { gram[$0][$0] }.max() ?? 1
        #expect(SimplexReference.minNormConditionViolation(gram, alpha) <= 1e-8 * scale, "\(comment): α = \(alpha)")
        #expect(Linear.maxDifference(alpha, SimplexReference.minNorm(gram)) < 1e-7, "\(comment)")
        // The shared direction Σ w_t g_t is the min-norm point Σ α_t ĝ_t, whose norm is logged.
        let direction = Linear.combine(gradients, answer.shared)
        #expect(Linear.maxDifference(direction, Linear.combine(normalised, alpha)) < 1e-9 * max(1, Linear.norm(direction)))
        let logged = log.first { $0.name == "min_norm" }?.value ?? -1
        #expect(abs(logged - Linear.norm(direction)) < 1e-9 * max(1, logged), "\(comment)")
        #expect(answer.heads.allSatisfy { $0 == 1 }, "heads keep their own gradients")
    }

    /// g_1 = (1, 0), g_2 = (0, 2), L = (2, 1). Normalised gradients and the two-task closed form
    /// α_1 = (Ĝ22 − Ĝ12)/(Ĝ11 + Ĝ22 − 2Ĝ12):
    /// none: α = (0.8, 0.2) = w;  l2: ĝ = e_1, e_2, α = (½, ½), w = (½, ¼);
    /// loss: ĝ = (½, 0), (0, 2), α_1 = 4/4.25 = 16/17, w = (8/17, 1/17);
    /// loss+: n = (2, 2), ĝ = (½, 0), (0, 1), α = (0.8, 0.2), w = (0.4, 0.1) — or α itself without scale_back.
    @Test func handCaseWithEachNormalization() throws {
        let trace = SimplexReference.trace(gradients: [[1, 0], [0, 2]], losses: [2, 1])
        let expected: [String: [Double]] = ["none": [0.8, 0.2], "l2": [0.5, 0.25], "loss": [8.0 / 17, 1.0 / 17], "loss+": [0.4, 0.1]]
        for (normalization, weights) in expected {
            for name in ["mgda", "mgda_ub"] {
                let result = try run(name, options: ["normalization": .string(normalization)], on: trace)
                #expect(Linear.maxDifference(result.weights[0].shared, weights) < 1e-12, "\(name) \(normalization)")
                #expect(result.weights[0].heads == [1, 1])
            }
        }
        let raw = try run("mgda", options: ["scale_back": .boolean(false)], on: trace)
        #expect(Linear.maxDifference(raw.weights[0].shared, [0.8, 0.2]) < 1e-12, "the authors' code: α on the raw losses")
        let none = try run("mgda", options: ["normalization": .string("none")], on: trace)
        #expect(abs(none.logs[0].first { $0.name == "min_norm" }!.value - 0.8.squareRoot()) < 1e-12, "‖(0.8, 0.4)‖")
    }

    @Test(arguments: normalizations)
    func mgdaIsTheMinNormPointOfTheNormalisedGradientsOnRandomTraces(_ normalization: String) throws {
        for tasks in 2...5 {
            let trace = PolicyTrace.random(tasks: tasks, steps: 6, seed: UInt64(40 + tasks))
            let result = try run("mgda", options: ["normalization": .string(normalization)], on: trace)
            for (step, answer) in result.weights.enumerated() {
                Self.expectMinNorm(answer, log: result.logs[step], gradients: trace.gradients[step], losses: trace.steps[step].loss,
                                   normalization: normalization, comment: "mgda \(normalization) T=\(tasks) step \(step + 1)")
            }
        }
    }

    /// At a Pareto-stationary point (0 in the hull) the step vanishes: g_1 = −g_2 share α = ½, g_3 gets 0.
    @Test func paretoStationaryGradientsGiveAZeroStep() throws {
        let trace = SimplexReference.trace(gradients: [[1, 0], [-1, 0], [0, 1]])
        let result = try run("mgda", options: ["normalization": .string("none")], on: trace)
        #expect(Linear.maxDifference(result.weights[0].shared, [0.5, 0.5, 0]) < 1e-12)
        #expect(abs(result.logs[0].first { $0.name == "min_norm" }!.value) < 1e-12)
    }

    /// A zero gradient has no normalised direction under "l2": its weight is 0, the others are finite.
    @Test func aZeroGradientGetsWeightZeroUnderL2() throws {
        let trace = SimplexReference.trace(gradients: [[1, 0], [0, 0], [0, 3]])
        let result = try run("mgda", options: ["normalization": .string("l2")], on: trace)
        // ĝ = e_1, 0, e_2: the zero vector is treated as absent, α = (½, 0, ½), w = (½, 0, 1/6).
        #expect(Linear.maxDifference(result.weights[0].shared, [0.5, 0, 0.5 / 3]) < 1e-12)
    }

    @Test func badOptionsAndNegativeLossesAreErrors() throws {
        let trace = PolicyTrace.random(tasks: 3, steps: 1, seed: 5)
        for name in ["mgda", "mgda_ub"] {
            let error = try #require(throws: LuaPolicyError.self) {
                try run(name, options: ["normalization": .string("l1")], on: trace)
            }
            #expect(error.phase == .initialisation && error.message.contains("normalization must be"))
        }
        var negative = trace
        negative.steps[0].loss[1] = -0.5
        let error = try #require(throws: LuaPolicyError.self) { try run("mgda", on: negative) }
        #expect(error.phase == .weights(step: 1) && error.message.contains("needs losses ≥ 0"))
        #expect(try run("mgda", options: ["normalization": .string("l2")], on: negative).weights[0].shared.allSatisfy { $0 >= 0 })
    }
}
