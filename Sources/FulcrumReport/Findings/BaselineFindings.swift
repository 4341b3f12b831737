/// Findings, part one: per task, the rows that are better or worse than the baseline after Holm's
/// correction across the report's tests — and the rows that are not, since "no difference" is a
/// finding too.
extension FindingsSection {
    func baselineFindings(_ rows: [ComparisonRow]) -> [String] {
        guard let baseline = comparison.experiment.baseline else { return [] }
        let tests = comparison.baselineTests(rows)
        var lines = ["", "### Against `\(baseline)`", ""]
        guard tests.count > 0 else {
            return lines + ["No test against `\(baseline)`: a test needs two finished seeds of the row and of `\(baseline)`."]
        }
        let swept = tests.entries.contains { !$0.baseline.point.isEmpty }
        lines += ["Two-sided t-tests of each row against `\(baseline)`" + (swept ? " (at the same sweep settings)" : "")
                  + " on the comparison's numbers (\(comparison.selectionSentence)), significant at 5 % after \(tests.correctionPhrase); "
                  + "differences in KPI points.", ""]
        for (task, spec) in comparison.experiment.tasks.enumerated() {
            let entries = tests.entries.filter { $0.task == task }
            guard !entries.isEmpty else {
                lines.append("- \(spec.name): not tested (no row has two seeds beside two of `\(baseline)`).")
                continue
            }
            let better = entries.filter { $0.isSignificant && $0.difference > 0 }.sorted { $0.difference > $1.difference }
            let worse = entries.filter { $0.isSignificant && $0.difference < 0 }.sorted { $0.difference < $1.difference }
            let same = entries.filter { !$0.isSignificant }.map(\.group.label)
            guard !better.isEmpty || !worse.isEmpty else {
                lines.append("- \(spec.name): no policy differs from `\(baseline)` after correction.")
                continue
            }
            var parts: [String] = []
            if !better.isEmpty { parts.append("better than `\(baseline)`: " + better.map(Self.describe).joined(separator: ", ")) }
            if !worse.isEmpty { parts.append((better.isEmpty ? "worse than `\(baseline)`: " : "worse: ") + worse.map(Self.describe).joined(separator: ", ")) }
            if !same.isEmpty { parts.append("no difference after correction: " + same.joined(separator: ", ")) }
            lines.append("- \(spec.name): " + parts.joined(separator: "; ") + ".")
        }
        return lines
    }

    /// "dtp_hard (−4.1 points, Holm p = 0.003)".
    private static func describe(_ entry: BaselineTests.Entry) -> String {
        "\(entry.group.label) (\(ReportFormat.signed(100 * entry.difference)) points, Holm \(ReportFormat.pValue(entry.adjustedP)))"
    }
}
