import Foundation
import FulcrumCore
import FulcrumLua
import Testing

/// policies/ema.lua and policies/stack.lua (policies/lib/combinators.lua), against their inner
/// policies run on their own.
@Suite("ema.lua and stack.lua")
struct CombinatorPolicyTests {
    /// loss_power's w_t = p L_t^(p−1), averaged: w̄_1 = w_1, w̄_k = β w̄_{k−1} + (1 − β) w_k.
    @Test func emaAveragesTheInnerAnswers() throws {
        let trace = PolicyTrace.random(tasks: 3, steps: 15, seed: 12)
        let result = try run("ema", options: ["policy": .string("loss_power"), "with": .string("power=2"), "beta": .number(0.7)], on: trace)
        var average: [Double]?
        for (step, signals) in trace.steps.enumerated() {
            let w = signals.loss.map { 2 * $0 }
            average = average.map { zip($0, w).map { 0.7 * $0 + 0.3 * $1 } } ?? w
            #expect(Linear.maxDifference(result.weights[step].shared, average!) < 1e-12, "step \(step + 1)")
            #expect(result.weights[step].heads == result.weights[step].shared)
        }
        #expect(try LuaPolicy(file: shippedPolicy("ema"), options: ["policy": .string("mgda")]).needs == [.gram])
    }

    /// The gradient policy on the weighted problem (loss, grad_norm, gram scaled by λ), then shared = α λ.
    @Test func stackRunsTheGradientPolicyOnTheWeightedLosses() throws {
        let trace = PolicyTrace.random(tasks: 3, steps: 10, seed: 5)
        let stacked = try run("stack", options: ["loss_policy": .string("loss_power"), "loss_with": .string("power=2"),
                                                 "gradient_policy": .string("imtl")], on: trace)
        var weighted = trace
        for k in weighted.steps.indices {
            let lambda = trace.steps[k].loss.map { 2 * $0 }
            weighted.steps[k].loss = zip(trace.steps[k].loss, lambda).map { $0 * $1 }
            weighted.steps[k].gradientNorm = zip(trace.steps[k].gradientNorm!, lambda).map { $0 * $1 }
            weighted.steps[k].gram = trace.steps[k].gram!.indices.map { t in
                trace.steps[k].gram![t].indices.map { u in lambda[t] * lambda[u] * trace.steps[k].gram![t][u] }
            }
        }
        let alone = try run("imtl", on: weighted)
        for k in trace.steps.indices {
            let lambda = trace.steps[k].loss.map { 2 * $0 }
            #expect(Linear.maxDifference(stacked.weights[k].shared, zip(alone.weights[k].shared, lambda).map { $0 * $1 }) < 1e-10)
            #expect(Linear.maxDifference(stacked.weights[k].heads, zip(alone.weights[k].heads, lambda).map { $0 * $1 }) < 1e-10)
        }
        let needs = try LuaPolicy(file: shippedPolicy("stack"), options: ["loss_policy": .string("dtp"), "gradient_policy": .string("mgda_ub")]).needs
        #expect(needs == [.kpi, .representationGram])
    }

    @Test(arguments: [
        (["policy": SettingValue.string("dwa"), "with": .string("temp=2")], "ema: dwa has no option 'temp'"),
        (["policy": .string("dwa"), "with": .string("temperature=hot")], "ema: dwa's option 'temperature' is a number, got string"),
        (["policy": .string("gradnorm")], "ema: gradnorm measures grad_norm on 'last_shared_layer'; a combinator gives it the shared parameters' only"),
        (["policy": .string("auto_lambda")], "ema: auto_lambda needs val_align, whose settings the host reads from the combinator's own options: not supported"),
        (["policy": .string("nowhere")], "load_policy 'nowhere': no file"),
    ])
    func badInnerPoliciesAreLoadErrors(options: [String: SettingValue], message: String) throws {
        let error = try #require(throws: LuaPolicyError.self) { try LuaPolicy(file: shippedPolicy("ema"), options: options) }
        #expect(error.phase == .load && error.message.contains(message), "\(error.message)")
    }
}
