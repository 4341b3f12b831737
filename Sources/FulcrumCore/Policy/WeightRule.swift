/// Which answers the trainer can use — the one rule for every policy, Lua or Swift: one number per task
/// in each form; loss and head weights finite and ≥ 0; shared coefficients finite and of either sign,
/// since some methods combine the task gradients with negative coefficients on the shared
/// parameters (IMTL-G's closed form, Aligned-MTL's B·1), while a negative loss or head weight would
/// train a task's head to raise its loss.
extension TaskWeights {
    /// What is wrong with the answer for `taskCount` tasks; nil when it is valid. `split`: the answer
    /// was given as `shared` and `heads` (named so in the problem even when the two are equal; the
    /// verdict is the same either way, as equal arrays must both be valid head weights).
    public func problem(taskCount: Int, split: Bool = false) -> WeightProblem? {
        let forms = weightsTheLosses && !split ? [("weights", shared)] : [("shared", shared), ("heads", heads)]
        for (form, values) in forms {
            guard values.count == taskCount else { return WeightProblem(form: form, count: values.count, taskCount: taskCount) }
            let mayBeNegative = WeightProblem.mayBeNegative(form)
            if let bad = values.firstIndex(where: { !$0.isFinite || (!mayBeNegative && $0 < 0) }) {
                return WeightProblem(form: form, index: bad + 1, value: values[bad])
            }
        }
        return nil
    }
}

/// An answer the trainer cannot use: which form (`weights`, `shared`, `heads`), which entry, why.
public struct WeightProblem: Error, Sendable, Equatable, CustomStringConvertible {
    public let form: String
    /// The offending entry, 1-based as the policy's Lua arrays count; nil when the count is wrong.
    public var index: Int? = nil
    public var value = 0.0
    public var count = 0
    public var taskCount = 0

    /// Shared coefficients may be negative; loss and head weights may not.
    public static func mayBeNegative(_ form: String) -> Bool { form == "shared" }

    /// What a valid entry of `form` is, for messages.
    public static func expectation(_ form: String) -> String { mayBeNegative(form) ? "a finite number" : "a finite number ≥ 0" }

    public var description: String {
        guard let index else { return "\(form) has \(count) entries, expected \(taskCount) (one per task)" }
        return "\(form)[\(index)] is \(value), expected \(Self.expectation(form))"
    }
}
