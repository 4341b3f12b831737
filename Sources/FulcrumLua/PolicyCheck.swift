import Foundation
import FulcrumCore

/// `fulcrum policy check`: runs a policy file in the same sandbox on generated signals — every signal
/// its `needs` asks for — so an author sees its weights in seconds, without a training run.
///
/// The signals imitate training: losses fall from different starting levels with noise, KPIs rise
/// toward different ceilings, gradient Gram matrices are random positive semi-definite ones (A·Aᵀ),
/// eight per-example losses per task average to its loss, validation alignments are noisy and
/// mostly positive, and Adagrad-scaled norms fall as 1/√step.
/// They are generated from `seed`, so a check is reproducible.
public enum PolicyCheck {
    public struct Step: Sendable, Equatable {
        public let step: Int
        public let weights: TaskWeights
    }

    public static func run(file: String, tasks: Int, steps: Int, stepsPerEpoch: Int = 10,
                           options: [String: SettingValue] = [:], seed: UInt64 = 1,
                           limits: LuaLimits = LuaLimits()) throws -> [Step] {
        try check(file: file, tasks: tasks, steps: steps, stepsPerEpoch: stepsPerEpoch, options: options, seed: seed, limits: limits).steps
    }

    /// The weights per step and, for a policy that remembers, what its `P:finish` returned after the
    /// last step (the result shows the last generated KPIs and losses as the final validation).
    public struct Report: Sendable, Equatable {
        public let steps: [Step]
        public let remembered: MemoryValue?
    }

    /// `run`, with `memory` as the policy's `ctx.memory` and `ctx.generation` (a memory file's
    /// records, `PolicyMemory.load`), and `P:finish` called at the end.
    public static func check(file: String, tasks: Int, steps: Int, stepsPerEpoch: Int = 10,
                             options: [String: SettingValue] = [:], seed: UInt64 = 1,
                             limits: LuaLimits = LuaLimits(), memory: PolicyMemory = PolicyMemory()) throws -> Report {
        precondition(tasks >= 1 && steps >= 1 && stepsPerEpoch >= 1, "PolicyCheck: tasks, steps and steps per epoch must be ≥ 1")
        let policy = try LuaPolicy(file: file, options: options, limits: limits)
        policy.memory = memory
        let names = (1...tasks).map { "task\($0)" }
        try policy.start(PolicyContext(tasks: names, taskKinds: names.map { _ in "classification" }, totalSteps: steps,
                                       stepsPerEpoch: stepsPerEpoch, seed: seed))
        var generator = SeededGenerator.stream(seed, 0xC4EC)
        var results: [Step] = []
        var previous = [Double](repeating: 1, count: tasks)
        var initialLoss: [Double] = []
        var last: (loss: [Double], kpi: [Double])?
        for step in 1...steps {
            // The KPIs are drawn either way; the policy sees them only if it needs them, finish at the end.
            var signals = generateSignals(step: step, steps: steps, tasks: names, stepsPerEpoch: stepsPerEpoch,
                                          needs: policy.needs.union([.kpi]), previous: previous, initialLoss: &initialLoss, &generator,
                                          alignmentInterval: policy.validationAlignmentInterval)
            last = (signals.loss, signals.kpi ?? [])
            if !policy.needs.contains(.kpi) { signals.kpi = nil }
            let weights = try policy.weights(for: signals)
            results.append(Step(step: step, weights: weights))
            previous = weights.shared
        }
        let validation = last.map { EvaluationRecord(step: steps, loss: $0.loss, kpi: $0.kpi) }
        return Report(steps: results, remembered: try policy.finish(PolicyRunResult(steps: steps, validation: validation)))
    }

    static func generateSignals(step: Int, steps: Int, tasks: [String], stepsPerEpoch: Int, needs: Set<PolicySignal>,
                                previous: [Double], initialLoss: inout [Double],
                                _ generator: inout SeededGenerator, alignmentInterval: Int = 1) -> StepSignals {
        let t = Double(step - 1) / Double(steps)
        let count = tasks.count
        func noise(_ scale: Double) -> Double { 1 + scale * generator.normal() }
        // Task i starts at loss 1 + i and falls at rate 1 + i/2; its KPI rises from a fifth of its
        // ceiling 0.95 − 0.15 i toward the ceiling.
        let loss = (0..<count).map { i in (1 + Double(i)) * exp(-(1 + Double(i) / 2) * 3 * t) * noise(0.05) + 0.01 }
        if initialLoss.isEmpty { initialLoss = loss }
        let ceiling = (0..<count).map { max(0.95 - 0.15 * Double($0), 0.2) }
        let kpi = (0..<count).map { i in min(max(ceiling[i] * (0.2 + 0.8 * (1 - exp(-4 * t))) * noise(0.03), 0), 1) }
        var signals = StepSignals(tasks: tasks, step: step, epoch: (step - 1) / stepsPerEpoch + 1, progress: t,
                                  learningRate: 1e-3, loss: loss, initialLoss: initialLoss, weights: previous)
        if needs.contains(.kpi) { signals.kpi = kpi }
        if needs.contains(.validationKPI) { signals.validationKPI = kpi.map { max($0 - 0.02, 0) } }
        if needs.contains(.validationLoss) { signals.validationLoss = loss.map { $0 * 1.1 } }
        if needs.contains(.gram) || needs.contains(.gradientNorm) {
            let gram = randomGram(count, scales: loss, &generator)
            if needs.contains(.gram) { signals.gram = gram }
            if needs.contains(.gradientNorm) { signals.gradientNorm = (0..<count).map { gram[$0][$0].squareRoot() } }
        }
        if needs.contains(.representationGram) { signals.representationGram = randomGram(count, scales: loss, &generator) }
        if needs.contains(.exampleLoss) {
            // Eight examples per task, spread around the task's loss with the same mean.
            signals.exampleLoss = loss.map { mean in
                let spread = (0..<8).map { _ in exp(0.5 * generator.normal()) }
                let total = spread.reduce(0, +)
                return spread.map { mean * 8 * $0 / total }
            }
        }
        if needs.contains(.gradientEMAGram) { signals.gradientEMAGram = randomGram(count, scales: loss, &generator) }
        if needs.contains(.adagradNorm) {
            // Squared gradient norms over their running scale: falling as 1/√step.
            signals.adagradNorm = loss.map { $0 * exp(0.2 * generator.normal()) / Double(step).squareRoot() }
        }
        if needs.contains(.predictionGain), step > 1 {
            // A small decrease of the previous batch's loss, noisy enough to be negative at times.
            signals.predictionGain = loss.map { $0 * 0.01 * (1 + generator.normal()) }
        }
        if needs.contains(.validationAlignment), (step - 1) % max(alignmentInterval, 1) == 0 {
            // Mostly aligned with the validation gradient, more weakly for the harder (later) tasks.
            signals.validationAlignment = (0..<count).map { i in loss[i] * (1 / (1 + Double(i)) + 0.3 * generator.normal()) }
        }
        return signals
    }

    /// A·Aᵀ for a random A whose row t is scaled by scales[t]: a valid Gram matrix of T gradients.
    static func randomGram(_ count: Int, scales: [Double], _ generator: inout SeededGenerator) -> [[Double]] {
        let width = count + 2
        let rows = (0..<count).map { t in (0..<width).map { _ in scales[t] * generator.normal() } }
        return rows.map { a in rows.map { b in zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } } }
    }

    /// Reads `key=value` overrides: numbers, `true`/`false`, comma-separated numbers in brackets, or strings.
    public static func parseOption(_ text: String) -> (key: String, value: SettingValue)? {
        guard let equals = text.firstIndex(of: "="), equals != text.startIndex else { return nil }
        let key = String(text[..<equals]), raw = String(text[text.index(after: equals)...])
        if let number = Double(raw) { return (key, .number(number)) }
        if raw == "true" || raw == "false" { return (key, .boolean(raw == "true")) }
        if raw.hasPrefix("["), raw.hasSuffix("]") {
            let items = raw.dropFirst().dropLast().split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
            if !items.contains(where: { $0 == nil }) { return (key, .list(items.compactMap { $0 }.map(SettingValue.number))) }
        }
        return (key, .string(raw))
    }
}
