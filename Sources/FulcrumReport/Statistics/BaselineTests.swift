/// The report's tests against its baseline — every multi-task row other than the baseline's, on every
/// task, where both have two seeds — as one family: their p-values are Holm-corrected together, so
/// the report's daggers hold at 5 % as a whole, not each on its own.
struct BaselineTests {
    /// One row's test on one task.
    struct Entry {
        let group: RunGroup
        let task: Int
        let baseline: RunGroup
        let test: TTest
        /// mean(row) − mean(baseline), in KPI units.
        let difference: Double
        /// The p-value after Holm's correction across the family.
        let adjustedP: Double

        var isSignificant: Bool { adjustedP < BaselineTests.level }
    }

    /// The family-wise error rate the daggers keep.
    static let level = 0.05

    /// In row order, then task order.
    let entries: [Entry]

    var count: Int { entries.count }

    func entry(_ group: RunGroup, task: Int) -> Entry? {
        entries.first { $0.group == group && $0.task == task }
    }

    /// "Holm–Bonferroni across the 12 tests of this report".
    var correctionPhrase: String {
        "Holm–Bonferroni correction across the \(count) test\(count == 1 ? "" : "s") of this report"
    }
}

extension Comparison {
    /// The family of tests of `rows` against their baseline rows (empty without `report.baseline`).
    func baselineTests(_ rows: [ComparisonRow]) -> BaselineTests {
        var tests: [(group: RunGroup, task: Int, baseline: ComparisonRow, test: TTest, difference: Double)] = []
        for row in rows where !row.group.isSingleTask {
            guard let baseline = baselineRow(for: row, in: rows), baseline.group != row.group else { continue }
            for task in experiment.tasks.indices {
                guard let test = row.test(against: baseline, task: task), !test.pValue.isNaN else { continue }
                tests.append((row.group, task, baseline, test, row.mean(task) - baseline.mean(task)))
            }
        }
        let adjusted = Holm.adjusted(tests.map(\.test.pValue))
        return BaselineTests(entries: zip(tests, adjusted).map {
            BaselineTests.Entry(group: $0.group, task: $0.task, baseline: $0.baseline.group, test: $0.test,
                                difference: $0.difference, adjustedP: $1)
        })
    }
}
