/// Which answers the trainer can use — the one rule for every policy, Lua or Swift: one number per task
/// in each form; loss and head weights finite and ≥ 0; shared coefficients finite and of either sign,
/// since some methods combine the task gradients with negative coefficients on the shared
/// parameters (IMTL-G's closed form, Aligned-MTL's B·1), while a negative loss or head weight would
/// train a task's head to raise its loss.
extension TaskWeights {
    /// What is wrong with the answer for `taskCount` tasks; nil when it is valid. `split`: the answer
    /// was given as `shared` and `heads` (named so in the problem even when the two are equal; the
    /// verdict is the same either way, as equal arrays must both be valid head weights).
    /// `exampleCount`: the batch size, against which `examples` is checked (when it is given).
    public func problem(taskCount: Int, split: Bool = false, exampleCount: Int? = nil) -> WeightProblem? {
        let forms = weightsTheLosses && !split ? [("weights", shared)] : [("shared", shared), ("heads", heads)]
        for (form, values) in forms {
            if let problem = WeightProblem.check(values, form: form, expected: taskCount, per: "task") { return problem }
        }
        guard let examples else { return nil }
        guard examples.count == taskCount else { return WeightProblem(form: "examples", count: examples.count, expected: taskCount) }
        for (task, values) in examples.enumerated() {
            guard let values else { continue }
            let problem = WeightProblem.check(values, form: "examples[\(task + 1)]", expected: exampleCount ?? values.count,
                                              per: "example in the batch")
            if let problem { return problem }
        }
        return nil
    }
}

/// An answer the trainer cannot use: which form (`weights`, `shared`, `heads`, `examples[t]`), which entry, why.
public struct WeightProblem: Error, Sendable, Equatable, CustomStringConvertible {
    public let form: String
    /// The offending entry, 1-based as the policy's Lua arrays count; nil when the count is wrong.
    public var index: Int? = nil
    public var value = 0.0
    public var count = 0
    /// How many entries the form needs, one per `per` (a task, or an example of the batch).
    public var expected = 0
    public var per = "task"

    /// Shared coefficients may be negative; loss, head and example weights may not.
    public static func mayBeNegative(_ form: String) -> Bool { form == "shared" }

    /// What a valid entry of `form` is, for messages.
    public static func expectation(_ form: String) -> String { mayBeNegative(form) ? "a finite number" : "a finite number ≥ 0" }

    /// The first problem of `values` as entries of `form`.
    static func check(_ values: [Double], form: String, expected: Int, per: String) -> WeightProblem? {
        guard values.count == expected else { return WeightProblem(form: form, count: values.count, expected: expected, per: per) }
        let mayBeNegative = mayBeNegative(form)
        guard let bad = values.firstIndex(where: { !$0.isFinite || (!mayBeNegative && $0 < 0) }) else { return nil }
        return WeightProblem(form: form, index: bad + 1, value: values[bad])
    }

    public var description: String {
        guard let index else { return "\(form) has \(count) entries, expected \(expected) (one per \(per))" }
        return "\(form)[\(index)] is \(value), expected \(Self.expectation(form))"
    }
}
