/// `report.difficulty`: the order of difficulty an experiment is calibrated to (on validation, with the
/// baselines only). The report's Findings check it against the baseline's and the single-task runs'
/// validation KPIs, so a set-up that drifts from it says so next to the results.
public struct DifficultyExpectation: Sendable, Equatable, Codable {
    /// Task names, easiest (highest KPI) first; empty: no order is checked.
    public let order: [String]
    /// The smallest gap between the KPIs of adjacent tasks of `order`, in points (KPI × 100).
    public let minimumGap: Double
    /// No single-task run's KPI may be above this (in [0, 1]); nil: not checked.
    public let maximumSingleTask: Double?

    public init(order: [String], minimumGap: Double = 0, maximumSingleTask: Double? = nil) {
        self.order = order
        self.minimumGap = minimumGap
        self.maximumSingleTask = maximumSingleTask
    }

    /// The manifest's names, so the store's JSON reads like the manifest.
    enum CodingKeys: String, CodingKey {
        case order
        case minimumGap = "min_gap"
        case maximumSingleTask = "max_single_task"
    }
}

extension Manifest {
    /// `report.difficulty: { order: [task, …], min_gap: points, max_single_task: kpi }`: `order` lists at
    /// least two of the manifest's tasks, each once; at least one of `order` and `max_single_task` is given.
    static func parseDifficulty(_ node: ManifestNode, taskNames: [String]) -> DifficultyExpectation? {
        guard let difficulty = node.mapping(allowed: ["order", "min_gap", "max_single_task"]) else { return nil }
        let reading = node.reading
        let order = difficulty.optional("order", default: [String]()) { field -> [String]? in
            guard let items = field.list() else { return nil }
            let names = items.map { $0.string() }
            guard !names.contains(where: { $0 == nil }) else { return nil }
            let order = names.compactMap { $0 }
            if order.count < 2 {
                reading.report(field.path, field.node, "expected at least two task names, easiest first")
                return nil
            }
            for (item, name) in zip(items, order) where !taskNames.isEmpty && !taskNames.contains(name) {
                reading.report(item.path, item.node, "'\(name)' is not a task of this manifest (\(taskNames.joined(separator: ", ")))")
            }
            if Set(order).count != order.count { reading.report(field.path, field.node, "each task may appear once") }
            return order
        }
        let gap = difficulty.optional("min_gap", default: 0) { $0.number(in: 0...100, "a gap in KPI points in [0, 100]") }
        let maximum = difficulty.optional("max_single_task", default: Double?.none) {
            $0.number(in: 1e-12...1, "a KPI in (0, 1]").map(Optional.some)
        }
        if difficulty["order"] == nil && difficulty["max_single_task"] == nil {
            reading.report(node.path, node.node, "expected 'order' (task names, easiest first) or 'max_single_task'")
            return nil
        }
        guard let order, let gap, let maximum else { return nil }
        return DifficultyExpectation(order: order, minimumGap: gap, maximumSingleTask: maximum)
    }
}
