import Foundation
import FulcrumCore
import FulcrumLua
import Testing

/// UPGrad (Quinton & Rey 2024, torchjd) against its definition, computed here: each p_i g_i projected onto
/// the dual cone of the gradients, via Proposition 1 (v^(i) = argmin_{v ≥ p_i e_i} vᵀG̃v, KKT-checked), and
/// the aggregated direction conflicting with no task.
@Suite("UPGrad policy")
struct UPGradPolicyTests {
    /// torchjd's Gram: G / tr(G) + reg_eps·I, or reg_eps·I when tr(G) < norm_eps.
    static func regularised(_ gram: [[Double]], normEps: Double = 1e-4, regEps: Double = 1e-4) -> [[Double]] {
        let trace = gram.indices.map { gram[$0][$0] }.reduce(0, +)
        return gram.indices.map { t in gram.indices.map { u in (trace >= normEps ? gram[t][u] / trace : 0) + (t == u ? regEps : 0) } }
    }

    /// Σ_i v^(i), each v^(i) = p_i e_i + z with z the enumeration reference of the non-negative QP.
    static func expectedWeights(_ gram: [[Double]], preference: [Double]? = nil, normEps: Double = 1e-4, regEps: Double = 1e-4) -> [Double] {
        let q = regularised(gram, normEps: normEps, regEps: regEps)
        let p = preference ?? [Double](repeating: 1 / Double(gram.count), count: gram.count)
        var w = [Double](repeating: 0, count: gram.count)
        for i in gram.indices where p[i] > 0 {
            var u = [Double](repeating: 0, count: gram.count)
            u[i] = p[i]
            let z = SimplexReference.nonNegativeQP(q, Linear.matvec(q, u))
            #expect(z.count == gram.count, "the reference QP has a KKT point")
            w = Linear.add(w, Linear.add(u, z))
        }
        return w
    }

    /// g_1 = (1, 0), g_2 = (−1, 1) conflict (⟨g_1, g_2⟩ = −1). Their projections onto the dual cone:
    /// π(g_1) = g_1 + ½ g_2 = (½, ½) (onto ⟨x, g_2⟩ ≥ 0; then ⟨x, g_1⟩ = ½ ≥ 0), π(g_2) = g_2 + g_1 = (0, 1);
    /// w = ½((1, ½) + (1, 1)) = (1, ¾).
    @Test func twoConflictingGradientsByHand() throws {
        let trace = SimplexReference.trace(gradients: [[1, 0], [-1, 1]])
        let result = try run("upgrad", options: ["reg_eps": .number(0)], on: trace)
        #expect(Linear.maxDifference(result.weights[0].shared, [1, 0.75]) < 1e-12)
        #expect(result.weights[0].heads == [1, 1])
        let regularised = try run("upgrad", on: trace)
        #expect(Linear.maxDifference(regularised.weights[0].shared, Self.expectedWeights(trace.steps[0].gram!)) < 1e-10)
    }

    /// Without conflict every g_i is already in the dual cone: d is the mean gradient (torchjd's scale).
    @Test func gradientsWithoutConflictGiveTheMean() throws {
        let trace = SimplexReference.trace(gradients: [[1, 0, 0], [1, 1, 0], [0, 1, 2]])
        let result = try run("upgrad", on: trace)
        #expect(Linear.maxDifference(result.weights[0].shared, [1.0 / 3, 1.0 / 3, 1.0 / 3]) < 1e-15)
    }

    @Test(arguments: 2...5)
    func randomTracesMatchTheProjectionsAndConflictWithNoTask(_ tasks: Int) throws {
        let trace = PolicyTrace.random(tasks: tasks, steps: 6, seed: UInt64(70 + tasks))
        let regularised = try run("upgrad", on: trace)
        let exact = try run("upgrad", options: ["reg_eps": .number(0)], on: trace)
        for step in 0..<trace.steps.count {
            let gradients = trace.gradients[step]
            let gram = Linear.gram(gradients)
            let traceOfGram = gram.indices.map { gram[$0][$0] }.reduce(0, +)
            for (answer, regEps) in [(regularised.weights[step], 1e-4), (exact.weights[step], 0.0)] {
                let expected = Self.expectedWeights(gram, regEps: regEps)
                #expect(Linear.maxDifference(answer.shared, expected) < 1e-8 * max(1, expected.max()!), "T=\(tasks) reg_eps \(regEps)")
                #expect(answer.shared.reduce(0, +) >= 1 - 1e-12, "Σ w ≥ Σ p = 1")
                // ⟨d, g_t⟩ = tr(G)·((G̃ − εI) w)_t ≥ −ε·tr(G)·w_t: no conflict at all when ε = 0.
                let d = Linear.combine(gradients, answer.shared)
                for t in 0..<tasks {
                    #expect(Linear.dot(d, gradients[t]) >= -regEps * traceOfGram * answer.shared[t] - 1e-9 * traceOfGram, "T=\(tasks) task \(t)")
                }
                #expect(answer.heads.allSatisfy { $0 == 1 })
            }
        }
    }

    /// Gradients of deficient rank without the regulariser (a singular Gram): still no conflict.
    @Test(arguments: [(4, 2), (5, 3), (3, 1)])
    func deficientRankWithoutRegulariserConflictsWithNoTask(_ shape: (tasks: Int, dimension: Int)) throws {
        let trace = PolicyTrace.random(tasks: shape.tasks, steps: 6, seed: 27, dimension: shape.dimension)
        let result = try run("upgrad", options: ["reg_eps": .number(0)], on: trace)
        for (step, answer) in result.weights.enumerated() {
            let gradients = trace.gradients[step]
            let size = gradients.map { Linear.dot($0, $0) }.reduce(0, +)
            let d = Linear.combine(gradients, answer.shared)
            for g in gradients { #expect(Linear.dot(d, g) >= -1e-9 * size, "\(shape) step \(step + 1)") }
            #expect(answer.shared.reduce(0, +) >= 1 - 1e-12)
        }
    }

    /// pref_vector = e_i isolates one projection: the answer is v^(i) itself, which must satisfy its QP's
    /// KKT conditions: v ≥ e_i, μ = G̃v ≥ 0, μ_t (v_t − δ_ti) = 0.
    @Test func eachProjectionSatisfiesItsQPConditions() throws {
        for tasks in 2...5 {
            let trace = PolicyTrace.random(tasks: tasks, steps: 3, seed: UInt64(80 + tasks))
            for i in 0..<tasks {
                let preference = (0..<tasks).map { SettingValue.number($0 == i ? 1 : 0) }
                let result = try run("upgrad", options: ["pref_vector": .list(preference)], on: trace)
                for (step, answer) in result.weights.enumerated() {
                    let q = Self.regularised(trace.steps[step].gram!)
                    let v = answer.shared
                    let mu = Linear.matvec(q, v)
                    for t in 0..<tasks {
                        let lower = t == i ? 1.0 : 0.0
                        #expect(v[t] >= lower - 1e-12 && mu[t] >= -1e-9 && abs(mu[t] * (v[t] - lower)) < 1e-9,
                                "T=\(tasks) i=\(i) step \(step + 1): v = \(v), μ = \(mu)")
                    }
                }
            }
        }
    }

    /// A preference vector weights the projections (torchjd's pref_vector): here p = (2, 0, 1).
    @Test func preferenceVectorWeightsTheProjections() throws {
        let trace = PolicyTrace.random(tasks: 3, steps: 3, seed: 24)
        let result = try run("upgrad", options: ["pref_vector": .list([.number(2), .number(0), .number(1)])], on: trace)
        for (step, answer) in result.weights.enumerated() {
            let expected = Self.expectedWeights(trace.steps[step].gram!, preference: [2, 0, 1])
            #expect(Linear.maxDifference(answer.shared, expected) < 1e-8 * expected.max()!)
        }
    }

    /// Below norm_eps (tr G < 1e-4) torchjd's Gram is reg_eps·I: no projection, d = Σ p_t g_t.
    @Test func tinyGradientsFallBackToThePreference() throws {
        let trace = SimplexReference.trace(gradients: [[0.001, 0], [-0.001, 0.001]])
        let result = try run("upgrad", on: trace)
        #expect(Linear.maxDifference(result.weights[0].shared, [0.5, 0.5]) < 1e-15)
    }

    @Test func badOptionsAreInitErrors() throws {
        let trace = PolicyTrace.random(tasks: 3, steps: 1, seed: 25)
        let cases: [([String: SettingValue], String)] = [
            (["pref_vector": .list([.number(1), .number(1)])], "pref_vector must be empty or have one entry per task (3), got 2"),
            (["pref_vector": .list([.number(1), .number(-1), .number(1)])], "pref_vector entries must be numbers ≥ 0"),
            (["reg_eps": .number(-1)], "reg_eps must be ≥ 0"),
            (["norm_eps": .number(-1)], "norm_eps must be ≥ 0"),
        ]
        for (options, message) in cases {
            let error = try #require(throws: LuaPolicyError.self) { try run("upgrad", options: options, on: trace) }
            #expect(error.phase == .initialisation && error.message.contains(message), "\(error)")
        }
    }
}
