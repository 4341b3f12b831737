import FulcrumExperiment

/// "## KPI by position in the task hierarchy": for a `model.task_order` sweep, the DTP paper's Fig. 4
/// as a table (`TaskPositionTable`), on the test split when the runs have one.
struct TaskPositionSection {
    let comparison: Comparison

    /// The table over the finished runs, from the KPI the comparison reads.
    var table: TaskPositionTable {
        TaskPositionTable(runs: comparison.runs.filter { $0.status == .finished }, taskNames: comparison.experiment.tasks.map(\.name)) { run in
            let kpis = comparison.selectedKPIs(of: run)
            return kpis.contains(nil) ? nil : kpis.map { $0! }
        }
    }

    var lines: [String] {
        let table = table
        guard !table.isEmpty else { return [] }
        let useTest = comparison.comparisonSplit == .test
        return ["## KPI by position in the task hierarchy", "",
                "Each task's final \(useTest ? "test" : "validation") KPI at each position of the hierarchy over its mean KPI at "
                + "position 1 (all orders and seeds with the task first): median [first quartile, third quartile] "
                + "(range, runs). Above 1: the task does better at that position than first (the DTP paper's Fig. 4).", ""]
            + table.markdownLines
    }
}
