import Foundation
import FulcrumCore
import FulcrumLua
import Testing

/// PCGrad (Yu et al., NeurIPS 2020, Algorithm 1) on explicit gradient vectors, independent of
/// policies/pcgrad.lua: g_i' ← g_i, then for each other task j in turn, if ⟨g_i', g_j⟩ < 0,
/// g_i' ← g_i' − ⟨g_i', g_j⟩ / ‖g_j‖² g_j; the update is Σ_i g_i'.
enum PCGradReference {
    /// g_i' for task i meeting the other tasks in `order`.
    static func projected(_ gradients: [[Double]], task i: Int, order: [Int]) -> [Double] {
        var g = gradients[i]
        for j in order {
            let conflict = Linear.dot(g, gradients[j])
            if conflict < 0 { g = Linear.add(g, gradients[j], scaling: -conflict / Linear.dot(gradients[j], gradients[j])) }
        }
        return g
    }

    /// The tasks other than i in task order.
    static func others(_ i: Int, of count: Int) -> [Int] { (0..<count).filter { $0 != i } }

    /// Σ_i g_i' with every task meeting the others in task order.
    static func update(_ gradients: [[Double]]) -> [Double] {
        var sum = [Double](repeating: 0, count: gradients[0].count)
        for i in gradients.indices {
            sum = Linear.add(sum, projected(gradients, task: i, order: others(i, of: gradients.count)))
        }
        return sum
    }

    static func permutations(_ items: [Int]) -> [[Int]] {
        guard items.count > 1 else { return [items] }
        return items.indices.flatMap { k -> [[Int]] in
            var rest = items
            let first = rest.remove(at: k)
            return permutations(rest).map { [first] + $0 }
        }
    }

    /// A trace whose step k has the gradients `gradients[k]` (losses 1; only `gram` matters here).
    static func trace(_ gradients: [[[Double]]]) -> PolicyTrace {
        let count = gradients[0].count
        let ones = [Double](repeating: 1, count: count)
        var trace = PolicyTrace(steps: [], gradients: [], representationGradients: [])
        for (k, step) in gradients.enumerated() {
            var signals = StepSignals(tasks: (1...count).map { "task\($0)" }, step: k + 1, epoch: 1, progress: 0,
                                      learningRate: 0.01, loss: ones, initialLoss: ones, weights: ones)
            signals.gram = Linear.gram(step)
            signals.gradientNorm = step.map(Linear.norm)
            signals.representationGram = signals.gram
            trace.steps.append(signals)
            trace.gradients.append(step)
            trace.representationGradients.append(step)
        }
        return trace
    }

    /// |a − b| relative to the size of b (at least 1).
    static func relativeError(_ a: [Double], _ b: [Double]) -> Double {
        Linear.maxDifference(a, b) / max(1, Linear.norm(b))
    }
}

@Suite("policies/pcgrad.lua")
struct PCGradPolicyTests {
    static let fixed: [String: SettingValue] = ["order": .string("fixed")]

    /// g1 = (1, 0), g2 = (−1, 1) conflict (⟨g1, g2⟩ = −1): g1' = g1 + ½ g2 = (½, ½), g2' = g2 + g1 = (0, 1);
    /// Σ g' = (½, 3/2) = 2 g1 + 3/2 g2.
    @Test func handMadeConflictIsProjectedAway() throws {
        let trace = PCGradReference.trace([[[1, 0], [-1, 1]]])
        let answer = try run("pcgrad", options: Self.fixed, on: trace).weights[0]
        #expect(Linear.maxDifference(answer.shared, [2, 1.5]) < 1e-12)
        #expect(answer.heads == [1, 1])
    }

    @Test func noConflictLeavesTheGradientsAlone() throws {
        let trace = PCGradReference.trace([[[1, 0, 0], [1, 1, 0], [0, 0, 2]]])
        let (weights, logs) = try run("pcgrad", on: trace)
        #expect(weights[0].shared == [1, 1, 1])
        #expect(logs[0] == [PolicyLog(name: "conflicts", value: 0)])
    }

    /// With order = "fixed", Σ_t α_t g_t equals PCGrad computed on the vectors, for T = 2…5.
    @Test(arguments: [2, 3, 4, 5])
    func fixedOrderMatchesPCGradOnTheVectors(tasks: Int) throws {
        let trace = PolicyTrace.random(tasks: tasks, steps: 12, seed: UInt64(100 + tasks))
        let (weights, logs) = try run("pcgrad", options: Self.fixed, on: trace)
        for (k, answer) in weights.enumerated() {
            let expected = PCGradReference.update(trace.gradients[k])
            let got = Linear.combine(trace.gradients[k], answer.shared)
            #expect(PCGradReference.relativeError(got, expected) < 1e-9, "step \(k + 1)")
            #expect(answer.shared.allSatisfy { $0 >= 1 }, "each α_t = 1 (own gradient) + projection coefficients ≥ 0")
            #expect(answer.heads == [Double](repeating: 1, count: tasks))
            let conflicts = logs[k].first { $0.name == "conflicts" }?.value ?? -1
            #expect(conflicts >= 0 && conflicts <= Double(tasks * (tasks - 1)))
        }
    }

    /// With two tasks there is only one order: the random order is exact.
    @Test func randomOrderWithTwoTasksIsExact() throws {
        let trace = PolicyTrace.random(tasks: 2, steps: 20, seed: 7)
        let weights = try run("pcgrad", on: trace).weights
        for (k, answer) in weights.enumerated() {
            let got = Linear.combine(trace.gradients[k], answer.shared)
            #expect(PCGradReference.relativeError(got, PCGradReference.update(trace.gradients[k])) < 1e-9)
        }
    }

    /// With T = 3, 4 and random orders, each step's update is PCGrad for SOME order of the other tasks
    /// per task (all (T − 1)!^T choices enumerated).
    @Test(arguments: [3, 4])
    func randomOrderIsPCGradForSomeOrderPerTask(tasks: Int) throws {
        let trace = PolicyTrace.random(tasks: tasks, steps: 15, seed: UInt64(40 + tasks))
        let weights = try run("pcgrad", on: trace, seed: 3).weights
        for (k, answer) in weights.enumerated() {
            let gradients = trace.gradients[k]
            let candidates = (0..<tasks).map { i in
                PCGradReference.permutations(PCGradReference.others(i, of: tasks)).map {
                    PCGradReference.projected(gradients, task: i, order: $0)
                }
            }
            let got = Linear.combine(gradients, answer.shared)
            func matches(from i: Int, partial: [Double]) -> Bool {
                if i == tasks { return PCGradReference.relativeError(got, partial) < 1e-9 }
                return candidates[i].contains { matches(from: i + 1, partial: Linear.add(partial, $0)) }
            }
            #expect(matches(from: 0, partial: [Double](repeating: 0, count: gradients[0].count)), "step \(k + 1)")
        }
    }

    @Test func sameSeedGivesTheSameWeightsAndSeedsDiffer() throws {
        let trace = PolicyTrace.random(tasks: 4, steps: 40, seed: 11)
        let first = try run("pcgrad", on: trace, seed: 7).weights
        let again = try run("pcgrad", on: trace, seed: 7).weights
        let other = try run("pcgrad", on: trace, seed: 8).weights
        #expect(first == again)
        #expect(first != other, "another seed draws other orders, which change some step's answer")
    }

    @Test func unknownOrderIsAnInitError() throws {
        let trace = PolicyTrace.random(tasks: 2, steps: 1, seed: 1)
        let error = try #require(throws: LuaPolicyError.self) {
            try run("pcgrad", options: ["order": .string("sorted")], on: trace)
        }
        #expect(error.description.contains("order must be"))
    }
}
