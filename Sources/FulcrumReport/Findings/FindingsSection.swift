/// "## Findings": what the numbers say, written from the store each time the report is, so no number
/// in prose goes stale when runs change — which rows beat or lose to the baseline after the
/// correction, the Δm ranking, and whether the set-up is what the experiment needs (difficulty
/// order, convergence, the weights' scale). Hand-written notes interpret; they do not copy numbers.
extension ExperimentReport {
    var findingsSection: [String] {
        let rows = comparisonRows
        guard !rows.isEmpty else { return [] }
        var lines = ["## Findings", "",
                     "Generated from the runs in the store each time the report is written, like the tables; "
                     + "notes written by hand interpret these numbers but do not copy them."]
        lines += baselineFindings(rows) + deltaMFindings(rows)
        let checks = difficultyChecks + convergenceChecks + weightSumChecks
        if !checks.isEmpty { lines += ["", "### Set-up checks", ""] + checks }
        return lines
    }

    /// A signed number in prose, with a true minus sign: "+4.1", "−0.35".
    static func signed(_ value: Double, _ format: String = "%+.1f") -> String {
        String(format: format, value).replacingOccurrences(of: "-", with: "−")
    }

    /// "**pass**", "**fail**", "not checked".
    static func verdict(_ passed: Bool?) -> String {
        passed.map { $0 ? "**pass**" : "**fail**" } ?? "not checked"
    }

    /// "A, B and C".
    static func list(_ items: [String]) -> String {
        items.count < 2 ? items.joined() : items.dropLast().joined(separator: ", ") + " and " + items.last!
    }
}
