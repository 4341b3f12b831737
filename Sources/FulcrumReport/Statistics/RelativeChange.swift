/// A method's multi-task performance against a reference as one number, the Δm of Maninis, Radosavovic
/// and Kokkinos, "Attentive Single-Tasking of Multiple Tasks" (CVPR 2019):
///     Δm = (100/T) Σ_t (−1)^{l_t} (M_t − M_b,t) / M_b,t,
/// the mean relative change per task, signed so that positive is better whichever way a task's KPI goes.
public enum RelativeChange {
    /// Δm of Maninis et al. (CVPR 2019), in %: (100/T) Σ_t (−1)^{l_t} (M_t − M_b,t) / M_b,t, with l_t = 1 when lower is better for task t.
    /// Tasks where either value is nan or the reference is 0 are left out of the mean (T counts the others); nan if none remain.
    ///
    /// KPIs are taken to be positive, as the paper's are (accuracies, errors); an infinite KPI is not
    /// left out and makes Δm infinite, so a diverged task shows. The three arrays must have one
    /// entry per task (a precondition).
    public static func deltaM(_ values: [Double], reference: [Double], lowerIsBetter: [Bool]) -> Double {
        precondition(values.count == reference.count && values.count == lowerIsBetter.count,
                     "deltaM: \(values.count) values, \(reference.count) reference values and \(lowerIsBetter.count) directions; one each per task")
        var sum = 0.0
        var tasks = 0
        for task in values.indices where !values[task].isNaN && !reference[task].isNaN && reference[task] != 0 {
            let change = (values[task] - reference[task]) / reference[task]
            sum += lowerIsBetter[task] ? -change : change
            tasks += 1
        }
        return tasks == 0 ? .nan : 100 * sum / Double(tasks)
    }
}
