import Foundation
import FulcrumCore
import FulcrumLua
import Testing

/// policies/meta_dtp.lua: the evolution strategy's mean computed here from the memory, its
/// perturbations, and the weights of the DTP form it searches.
@Suite("meta_dtp.lua")
struct MetaDTPPolicyTests {
    static let tasks = ["easy", "hard"]

    /// A record of generation g: θ and the final validation KPIs it reached.
    static func record(_ g: Int, seed: UInt64, theta: [Double], kpi: [Double]?, diverged: Bool = false) -> MemoryRecord {
        var value: [String: MemoryValue] = ["theta": .array(theta.map(MemoryValue.number)), "diverged": .boolean(diverged)]
        if let kpi { value["val_kpi"] = .array(kpi.map(MemoryValue.number)) }
        return MemoryRecord(generation: g, seed: seed, run: "g\(g)s\(seed)", value: .object(value))
    }

    func started(generation: Int, of generations: Int, records: [MemoryRecord], seed: UInt64 = 1,
                 options: [String: SettingValue] = [:]) throws -> LuaPolicy {
        let policy = try LuaPolicy(file: shippedPolicy("meta_dtp"), options: options)
        policy.memory = PolicyMemory(generation: generation, of: generations, records: records)
        try policy.start(context(tasks: Self.tasks, seed: seed))
        return policy
    }

    func theta(of policy: LuaPolicy) throws -> [Double] {
        let value = try #require(try policy.finish(PolicyRunResult(steps: 1, validation: EvaluationRecord(step: 1, loss: [1, 1], kpi: [0.5, 0.5]))))
        guard case let .array(values)? = value["theta"] else { Issue.record("no theta in \(value)"); return [] }
        return values.compactMap(\.number)
    }

    /// Two generations of four runs; generation 3 of 3 trains the mean m₃ with no noise. Computed here:
    /// ref = generation 1's mean KPIs, score = mean_t kpi_t / ref_t, μ = 2 best with w ∝ ln 2.5 − ln i.
    @Test func theLastGenerationTrainsTheRecombinedMean() throws {
        let first: [([Double], [Double])] = [([0, -2.2, 0, 0], [0.9, 0.2]), ([0.3, -2.0, 0.2, -0.1], [0.8, 0.4]),
                                             ([-0.4, -2.5, -0.3, 0.3], [0.85, 0.35]), ([0.1, -1.8, 0.5, 0.0], [0.95, 0.1])]
        let second: [([Double], [Double]?)] = [([0.2, -2.1, 0.1, 0.0], [0.9, 0.45]), ([0.5, -1.9, 0.0, 0.2], nil),
                                               ([0.0, -2.3, 0.3, -0.2], [0.88, 0.38]), ([0.4, -2.0, -0.1, 0.1], [0.7, 0.5])]
        var records = first.enumerated().map { Self.record(1, seed: UInt64($0.offset + 1), theta: $0.element.0, kpi: $0.element.1) }
        records += second.enumerated().map { Self.record(2, seed: UInt64($0.offset + 1), theta: $0.element.0, kpi: $0.element.1,
                                                         diverged: $0.element.1 == nil) }
        let ref = (0..<2).map { t in first.map { $0.1[t] }.reduce(0, +) / 4 }
        func score(_ kpi: [Double]?) -> Double { kpi.map { k in (0..<2).map { k[$0] / ref[$0] }.reduce(0, +) / 2 } ?? -.infinity }
        let weights = [log(2.5) - log(1.0), log(2.5) - log(2.0)].map { $0 / (2 * log(2.5) - log(2.0)) }
        func recombine(_ population: [([Double], Double)]) -> [Double] {
            let best = population.sorted { $0.1 > $1.1 }.prefix(2).map(\.0)
            return (0..<4).map { k in weights[0] * best[0][k] + weights[1] * best[1][k] }
        }
        _ = recombine(first.map { ($0.0, score($0.1)) })   // m₂: generation 2's centre (its records are given)
        let m3 = recombine(second.map { ($0.0, score($0.1)) })
        let policy = try started(generation: 3, of: 3, records: records)
        let theta = try theta(of: policy)
        #expect(theta.count == 4 && zip(theta, m3).allSatisfy { abs($0 - $1) < 1e-12 })
        // The same memory in another run (another seed) proposes the same mean.
        #expect(try self.theta(of: started(generation: 3, of: 3, records: records, seed: 7)) == theta)
    }

    /// Generation 1 of 3 perturbs θ₀ = (log γ₀, logit α₀, 0, 0) by σ ε, ε fixed by (generation, seed).
    @Test func earlierGenerationsPerturbTheMeanBySeed() throws {
        let theta0 = [log(1.0), log(0.1 / 0.9), 0, 0]
        let a = try theta(of: started(generation: 1, of: 3, records: [], seed: 1))
        let again = try theta(of: started(generation: 1, of: 3, records: [], seed: 1))
        let b = try theta(of: started(generation: 1, of: 3, records: [], seed: 2))
        #expect(a == again && a != b)
        let noise = zip(a, theta0).map { ($0 - $1) / 0.5 } + zip(b, theta0).map { ($0 - $1) / 0.5 }
        #expect(noise.allSatisfy { abs($0) < 5 } && noise.contains { abs($0) > 0.05 })
        let unperturbed = try theta(of: started(generation: 1, of: 3, records: [], options: ["sigma": .number(0)]))
        #expect(zip(unperturbed, theta0).allSatisfy { abs($0 - $1) < 1e-12 })
        let single = try theta(of: started(generation: 1, of: 1, records: []))
        #expect(zip(single, theta0).allSatisfy { abs($0 - $1) < 1e-12 })   // one generation: the mean itself
    }

    /// After the warm-up, w_t = T π_t FL(κ̄_t; γ) / Σ_u π_u FL(κ̄_u; γ) with π = T softmax(z), γ = e^θ₁.
    @Test func weightsAreTheRenormalisedDTPFormWithPriors() throws {
        let record = Self.record(1, seed: 1, theta: [log(2.0), log(0.25 / 0.75), 0.4, -0.4], kpi: [0.9, 0.3])
        let policy = try started(generation: 2, of: 2, records: [record], options: ["warmup": .number(1)])
        let warm = try policy.weights(for: signals(step: 1, loss: [1, 1], kpi: [0.8, 0.2]))
        #expect(warm.shared == [1, 1])
        #expect(try policy.takeOutput().logs.map(\.name) == ["gamma", "alpha", "prior_easy", "prior_hard"])
        let w = try policy.weights(for: signals(step: 2, loss: [1, 1], kpi: [0.6, 0.4]))
        let kbar = [0.25 * 0.6 + 0.75 * 0.8, 0.25 * 0.4 + 0.75 * 0.2]
        let prior = [exp(0.4), exp(-0.4)].map { 2 * $0 / (exp(0.4) + exp(-0.4)) }
        let raw = (0..<2).map { -prior[$0] * pow(1 - kbar[$0], 2) * log(kbar[$0]) }
        let expected = raw.map { 2 * $0 / raw.reduce(0, +) }
        #expect(zip(w.shared, expected).allSatisfy { abs($0 - $1) < 1e-12 })
        #expect(try policy.takeOutput().logs.isEmpty)   // logged at the first step only
    }
}
