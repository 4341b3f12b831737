import Foundation
import FulcrumExperiment
import FulcrumCore

/// The DTP paper's Fig. 4 as numbers: for a sweep over `model.task_order`, each task's KPI at each
/// position of the hierarchy relative to the same task at position 1.
///
/// A run's ratio for task t at position p is κ_t(run) / κ̄_t(1), where κ̄_t(1) is the mean KPI of t
/// over every finished run with t first (all orders and seeds). Per position the table gives the
/// box plot's numbers: median, quartiles (type-7 quantiles, as numpy and R compute them) and range.
public struct TaskPositionTable {
    /// ratios[task][position - 1]: one ratio per finished run with that task at that position.
    public let ratios: [[[Double]]]
    public let taskNames: [String]

    /// `kpi(run)` is the run's KPI per experiment task (nil if it has none); runs without a
    /// `model.task_order` in their sweep point are left out.
    public init(runs: [StoredRun], taskNames: [String], kpi: (StoredRun) -> [Double]?) {
        self.taskNames = taskNames
        let count = taskNames.count
        var values = Array(repeating: Array(repeating: [Double](), count: count), count: count)
        for run in runs where run.tasks == nil {
            guard let order = Self.taskOrder(of: run), let kpis = kpi(run), kpis.count == count else { continue }
            for (position, name) in order.enumerated() {
                guard let task = taskNames.firstIndex(of: name), position < count else { continue }
                values[task][position].append(kpis[task])
            }
        }
        ratios = values.map { positions in
            let first = Statistics.mean(positions[0])
            return positions.map { kpis in first > 0 ? kpis.map { $0 / first } : [] }
        }
    }

    /// Whether any run had a task order to place.
    public var isEmpty: Bool { ratios.allSatisfy { $0.allSatisfy(\.isEmpty) } }

    /// One row per task, one column per position: "median [Q1, Q3]" with the range below it.
    public var markdownLines: [String] {
        let positions = taskNames.indices.map { $0 + 1 }
        var lines = ["| task | " + positions.map { "position \($0)" }.joined(separator: " | ") + " |",
                     "|---|" + positions.map { _ in "---:|" }.joined()]
        for (task, name) in taskNames.enumerated() {
            let cells = ratios[task].map { values -> String in
                guard !values.isEmpty else { return "—" }
                let sorted = values.sorted()
                let box = [0.25, 0.5, 0.75].map { Self.quantile(sorted, $0) }
                return String(format: "%.3f [%.3f, %.3f] (%.3f–%.3f, n=%d)",
                              box[1], box[0], box[2], sorted.first!, sorted.last!, sorted.count)
            }
            lines.append("| \(name) | " + cells.joined(separator: " | ") + " |")
        }
        return lines
    }

    /// The type-7 quantile of sorted values: linear interpolation between order statistics.
    static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        let h = Double(sorted.count - 1) * q
        let low = Int(h.rounded(.down))
        let high = min(low + 1, sorted.count - 1)
        return sorted[low] + (h - Double(low)) * (sorted[high] - sorted[low])
    }

    /// The task names of the run's `model.task_order` setting.
    static func taskOrder(of run: StoredRun) -> [String]? {
        guard case let .list(items)? = run.point[.taskOrder] else { return nil }
        let names = items.compactMap { item -> String? in
            if case let .string(name) = item { return name }
            return nil
        }
        return names.count == items.count ? names : nil
    }
}
