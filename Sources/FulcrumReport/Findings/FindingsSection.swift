/// "## Findings": what the numbers say, written from the store each time the report is, so no number
/// in prose goes stale when runs change — which rows beat or lose to the baseline after the
/// correction, the Δm ranking, and whether the set-up is what the experiment needs (difficulty
/// order, convergence, the weights' scale). Hand-written notes interpret; they do not copy numbers.
struct FindingsSection {
    let comparison: Comparison

    var lines: [String] {
        let rows = comparison.comparisonRows
        guard !rows.isEmpty else { return [] }
        var lines = ["## Findings", "",
                     "Generated from the runs in the store each time the report is written, like the tables; "
                     + "notes written by hand interpret these numbers but do not copy them."]
        lines += baselineFindings(rows) + deltaMFindings(rows)
        let checks = difficultyChecks + convergenceChecks + weightSumChecks
        if !checks.isEmpty { lines += ["", "### Set-up checks", ""] + checks }
        return lines
    }

}
