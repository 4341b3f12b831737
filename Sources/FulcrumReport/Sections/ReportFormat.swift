import Foundation

/// How the report writes its numbers, shared by the sections: percentages with their spread,
/// intervals, p-values, signed changes, verdicts and lists in prose.
enum ReportFormat {
    /// "10 000": digits in groups of three.
    static func grouped(_ number: Int) -> String {
        var digits = String(number.magnitude), groups: [String] = []
        while digits.count > 3 {
            groups.insert(String(digits.suffix(3)), at: 0)
            digits.removeLast(3)
        }
        return (number < 0 ? "-" : "") + ([digits] + groups).joined(separator: " ")
    }

    /// "[57.0, 67.0]" in %.
    static func interval(_ interval: (low: Double, high: Double)) -> String {
        interval.low.isNaN ? "—" : String(format: "[%.1f, %.1f]", 100 * interval.low, 100 * interval.high)
    }

    /// Per task, the best mean of a multi-task row: single-task runs are references, not contenders.
    static func bestMeans(_ rows: [ComparisonRow]) -> [Double?] {
        let contenders = rows.filter { !$0.group.isSingleTask }
        return (rows.first?.kpis.indices ?? 0..<0).map { task in contenders.map { $0.mean(task) }.filter { !$0.isNaN }.max() }
    }

    /// "63.9 ± 1.2", in bold when it is the task's best.
    static func kpiCell(_ row: ComparisonRow, _ task: Int, best: [Double?]) -> String {
        let values = row.values(task)
        let cell = percent(Statistics.mean(values), Statistics.standardDeviation(values))
        return !row.group.isSingleTask && best[task] != nil && row.mean(task) == best[task] ? "**\(cell)**" : cell
    }

    /// "63.9 ± 1.2" in %; "63.9" for one seed; "—" for none.
    static func percent(_ mean: Double, _ standardDeviation: Double) -> String {
        guard !mean.isNaN else { return "—" }
        let text = String(format: "%.1f", 100 * mean)
        return standardDeviation.isNaN ? text : text + String(format: " ± %.1f", 100 * standardDeviation)
    }

    static func pValue(_ p: Double) -> String {
        p.isNaN ? "p = —" : p < 0.001 ? "p < 0.001" : String(format: "p = %.3f", p)
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
