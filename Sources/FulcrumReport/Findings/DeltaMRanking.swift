/// Findings, part two: the rows by Δm, best first, and against what.
extension FindingsSection {
    func deltaMFindings(_ rows: [ComparisonRow]) -> [String] {
        var ranked: [(label: String, deltaM: Double)] = [], references: [String] = []
        for row in rows where !row.group.isSingleTask {
            guard let reference = comparison.deltaMReference(for: row, in: rows) else { continue }
            let deltaM = RelativeChange.deltaM(row.means, reference: reference.means, lowerIsBetter: comparison.lowerIsBetter)
            guard !deltaM.isNaN else { continue }
            ranked.append((row.group.label, deltaM))
            if !references.contains(reference.label) { references.append(reference.label) }
        }
        guard !ranked.isEmpty else { return [] }
        // Stable: rows with equal Δm keep the table's order.
        ranked = ranked.enumerated().sorted { ($0.element.deltaM, -$0.offset) > ($1.element.deltaM, -$1.offset) }.map(\.element)
        let against = ReportFormat.list(references.map { $0 == "single-task" ? "the single-task runs" : "`\($0)`" })
        let above = ranked.filter { $0.deltaM > 0 }.count
        var lines = ["", "### Δm ranking", "",
                     "Δm against \(against) — the mean over tasks of the relative change of the KPI, in % — best first:", ""]
        lines += ranked.enumerated().map { "\($0.offset + 1). \($0.element.label): \(ReportFormat.signed($0.element.deltaM, "%+.2f")) %" }
        lines += ["", above == 0 ? "No row is above \(against) on average (Δm > 0)."
                  : "\(above) of \(ranked.count) rows \(above == 1 ? "is" : "are") above \(against) on average (Δm > 0)."]
        return lines
    }
}
