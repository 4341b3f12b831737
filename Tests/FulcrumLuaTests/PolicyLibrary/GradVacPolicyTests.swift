import Foundation
import FulcrumCore
import FulcrumLua
import Testing

/// Gradient Vaccine (Wang et al., ICLR 2021, Eq. 2–3 and Algorithm 1) on explicit gradient vectors,
/// independent of policies/gradvac.lua, with the other tasks in task order: for each i and j ≠ i,
/// φ = cos(g_i', g_j); if φ < φ̂_ij, g_i' += ‖g_i'‖(φ̂√(1−φ²) − φ√(1−φ̂²)) / (‖g_j‖√(1−φ̂²)) g_j;
/// then φ̂_ij ← (1 − β) φ̂_ij + β φ. The update is Σ_i g_i'; φ̂ starts at 0 and carries over steps.
struct GradVacReference {
    let beta: Double
    var target: [[Double]]

    init(tasks: Int, beta: Double) {
        self.beta = beta
        target = [[Double]](repeating: [Double](repeating: 0, count: tasks), count: tasks)
    }

    mutating func update(_ gradients: [[Double]]) -> [Double] {
        var sum = [Double](repeating: 0, count: gradients[0].count)
        for i in gradients.indices {
            var g = gradients[i]
            for j in gradients.indices where j != i {
                let normI = Linear.norm(g), normJ = Linear.norm(gradients[j])
                let phi = Linear.dot(g, gradients[j]) / (normI * normJ)
                let goal = target[i][j]
                if phi < goal {
                    let scale = normI * (goal * (1 - phi * phi).squareRoot() - phi * (1 - goal * goal).squareRoot())
                        / (normJ * (1 - goal * goal).squareRoot())
                    g = Linear.add(g, gradients[j], scaling: scale)
                }
                target[i][j] = (1 - beta) * goal + beta * phi
            }
            sum = Linear.add(sum, g)
        }
        return sum
    }
}

@Suite("policies/gradvac.lua")
struct GradVacPolicyTests {
    static func options(beta: Double, order: String = "fixed") -> [String: SettingValue] {
        ["beta": .number(beta), "order": .string(order)]
    }

    /// β = ½. Step 1: g1 = (1, 0), g2 = (1, 1) have φ = cos 45° > 0 = φ̂: no change; φ̂ ← ½ cos 45° = 0.35355.
    /// Step 2: g1 = (1, 0), g2 = (0, 1) have φ = 0 < φ̂: each moves toward the other by
    /// φ̂ / √(1 − φ̂²) = 0.37796, which makes cos(g_i', g_j) = φ̂ exactly.
    @Test func handMadeCorrectionReachesTheTargetSimilarity() throws {
        let trace = PCGradReference.trace([[[1, 0], [1, 1]], [[1, 0], [0, 1]]])
        let (weights, logs) = try run("gradvac", options: Self.options(beta: 0.5), on: trace)
        #expect(weights[0].shared == [1, 1])
        let goal = 0.5 * 0.5.squareRoot()
        let step = goal / (1 - goal * goal).squareRoot()
        #expect(Linear.maxDifference(weights[1].shared, [1 + step, 1 + step]) < 1e-12)
        #expect(weights[1].heads == [1, 1])
        #expect(logs.map { $0.first { $0.name == "corrections" }?.value } == [0, 2])
        // g1' = g1 + step·g2 = (1, step): its cosine with g2 is the target.
        #expect(abs(step / (1 + step * step).squareRoot() - goal) < 1e-12)
    }

    /// Over several steps (the EMA targets carry over), Σ_t α_t g_t equals GradVac on the vectors.
    @Test(arguments: [(2, 0.01), (3, 0.3), (4, 0.3), (5, 0.3), (4, 1.0)])
    func fixedOrderMatchesGradVacOnTheVectorsOverSteps(tasks: Int, beta: Double) throws {
        let trace = PolicyTrace.random(tasks: tasks, steps: 25, seed: UInt64(200 + tasks))
        let (weights, logs) = try run("gradvac", options: Self.options(beta: beta), on: trace)
        var reference = GradVacReference(tasks: tasks, beta: beta)
        var corrections = 0.0
        for (k, answer) in weights.enumerated() {
            let expected = reference.update(trace.gradients[k])
            let got = Linear.combine(trace.gradients[k], answer.shared)
            #expect(PCGradReference.relativeError(got, expected) < 1e-9, "step \(k + 1)")
            #expect(answer.shared.allSatisfy { $0 >= 1 }, "each α_t = 1 (own gradient) + corrections ≥ 0")
            corrections += logs[k].first { $0.name == "corrections" }?.value ?? 0
        }
        #expect(corrections > 0, "the trace exercises the correction")
    }

    /// φ̂ starts at 0, where the correction is PCGrad's projection.
    @Test func firstStepIsPCGrad() throws {
        let trace = PolicyTrace.random(tasks: 4, steps: 1, seed: 5)
        let answer = try run("gradvac", options: ["order": .string("fixed")], on: trace).weights[0]
        let got = Linear.combine(trace.gradients[0], answer.shared)
        #expect(PCGradReference.relativeError(got, PCGradReference.update(trace.gradients[0])) < 1e-9)
    }

    /// With two tasks the random order is exact; the default β is the paper's 0.01.
    @Test func defaultsWithTwoTasksMatchTheReference() throws {
        let trace = PolicyTrace.random(tasks: 2, steps: 30, seed: 9)
        let weights = try run("gradvac", on: trace).weights
        var reference = GradVacReference(tasks: 2, beta: 0.01)
        for (k, answer) in weights.enumerated() {
            let got = Linear.combine(trace.gradients[k], answer.shared)
            #expect(PCGradReference.relativeError(got, reference.update(trace.gradients[k])) < 1e-9, "step \(k + 1)")
        }
    }

    @Test func sameSeedGivesTheSameWeightsAndSeedsDiffer() throws {
        let trace = PolicyTrace.random(tasks: 4, steps: 40, seed: 12)
        let first = try run("gradvac", options: ["beta": .number(0.3)], on: trace, seed: 7).weights
        let again = try run("gradvac", options: ["beta": .number(0.3)], on: trace, seed: 7).weights
        let other = try run("gradvac", options: ["beta": .number(0.3)], on: trace, seed: 8).weights
        #expect(first == again)
        #expect(first != other)
    }

    @Test(arguments: [
        ("beta", SettingValue.number(0)), ("beta", .number(1.5)), ("order", .string("sorted")),
    ])
    func badOptionIsAnInitError(name: String, value: SettingValue) throws {
        let trace = PolicyTrace.random(tasks: 2, steps: 1, seed: 1)
        let error = try #require(throws: LuaPolicyError.self) { try run("gradvac", options: [name: value], on: trace) }
        #expect(error.description.contains("gradvac: \(name)"))
    }
}
