import Foundation
import FulcrumCore
import FulcrumLua

/// `fulcrum policy replay`: runs a policy file on the signals a real run recorded (or on a JSON-lines
/// file of `s` objects from any trainer) and gives the weights it answers, step by step.
public enum PolicyReplay {
    public struct Step: Sendable, Equatable {
        public let step: Int
        public let weights: TaskWeights
        /// The shared weights the recorded run applied at this step (replays of a stored run only).
        public let applied: [Double]?
    }

    public struct ReplayError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Replays run `id` of `store`; the policy gets the run's context (tasks, kinds, length, seed).
    public static func replay(file: String, options: [String: SettingValue] = [:], run id: String, store: RunStore,
                              memory: PolicyMemory = PolicyMemory()) throws -> [Step] {
        guard let recorded = try store.recordedSignals(ofRun: id) else {
            throw ReplayError(description: "no run '\(id)' in \(store.path) (fulcrum run prints run ids; so does the store's run table)")
        }
        guard !recorded.signals.isEmpty else {
            throw ReplayError(description: "run '\(id)' recorded no signals (it failed before its first step, or predates signal recording)")
        }
        return try replay(file: file, options: options, context: recorded.context, signals: recorded.signals, applied: recorded.applied,
                          memory: memory)
    }

    /// Replays a JSON-lines file: one object per step with the fields of `s` (`loss` and `step` required;
    /// `tasks` defaults to task1…taskT, `initial_loss` to the first line's losses, `weights` to 1). Its
    /// first line may be a header, `{"ctx": {…}}` (`ReplayContext`); `context` (`--ctx`) overrides it
    /// field by field, and `options` (`--option`) override both.
    public static func replay(file: String, options: [String: SettingValue] = [:], signalsFile path: String,
                              context given: ReplayContext = ReplayContext(), memory: PolicyMemory = PolicyMemory()) throws -> [Step] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ReplayError(description: "\(path): cannot read the signals file")
        }
        let decoder = JSONDecoder()
        var header = ReplayContext()
        var signals: [StepSignals] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            guard !line.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
            if signals.isEmpty, let context = try ReplayContext.header(line, source: "\(path):\(index + 1)") {
                header = context
                continue
            }
            do {
                signals.append(try decoder.decode(StepSignals.self, from: Data(line.utf8)))
            } catch {
                throw ReplayError(description: "\(path):\(index + 1): expected a JSON object with the fields of s (at least 'step' and 'loss'): \(describe(error))")
            }
        }
        guard let first = signals.first else { throw ReplayError(description: "\(path): no signals in the file") }
        if let bad = signals.firstIndex(where: { $0.loss.count != first.loss.count }) {
            throw ReplayError(description: "\(path): step \(signals[bad].step) has \(signals[bad].loss.count) losses, the first line \(first.loss.count)")
        }
        let ctx = header.overridden(by: given)
        let lastStep = signals.map(\.step).max() ?? 0
        if let total = ctx.totalSteps, lastStep > total {
            throw ReplayError(description: "\(path): step \(lastStep) is beyond ctx total_steps \(total)")
        }
        let totalSteps = ctx.totalSteps ?? max(signals.count, lastStep)
        if let kinds = ctx.taskKinds, kinds.count != first.tasks.count {
            throw ReplayError(description: "\(path): ctx kinds has \(kinds.count) entries, the signals \(first.tasks.count) tasks")
        }
        let context = PolicyContext(tasks: first.tasks, taskKinds: ctx.taskKinds ?? first.tasks.map { _ in "unknown" }, totalSteps: totalSteps,
                                    stepsPerEpoch: ctx.stepsPerEpoch ?? totalSteps, seed: ctx.seed ?? 1)
        return try replay(file: file, options: ctx.options.merging(options) { $1 }, context: context, signals: signals, applied: nil, memory: memory)
    }

    /// `memory` is what a policy that remembers sees as `ctx.memory` (a memory file's records; empty by default).
    static func replay(file: String, options: [String: SettingValue], context: PolicyContext,
                       signals: [StepSignals], applied: [[Double]?]?, memory: PolicyMemory) throws -> [Step] {
        let policy = try LuaPolicy(file: file, options: options)
        policy.memory = memory
        try policy.start(context)
        return try signals.enumerated().map { index, s in
            Step(step: s.step, weights: try policy.weights(for: s), applied: applied.flatMap { index < $0.count ? $0[index] : nil })
        }
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case let DecodingError.keyNotFound(key, _): "missing '\(key.stringValue)'"
        case let DecodingError.typeMismatch(_, context): "wrong type at '\(context.codingPath.map(\.stringValue).joined(separator: "."))'"
        case let DecodingError.valueNotFound(_, context): "no value at '\(context.codingPath.map(\.stringValue).joined(separator: "."))'"
        default: "not valid JSON"
        }
    }
}
