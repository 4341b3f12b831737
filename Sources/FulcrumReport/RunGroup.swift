import FulcrumCore
import FulcrumExperiment

/// A row of a comparison: one policy at one sweep point, over its seeds. Without a sweep there is
/// one group per policy, named by the policy alone.
public struct RunGroup: Sendable, Hashable {
    public let policy: String
    /// The sweep point (empty without a sweep).
    public let point: SweepPoint

    public init(policy: String, point: SweepPoint = SweepPoint()) {
        self.policy = policy
        self.point = point
    }

    /// "dtp", "dtp gamma=2 train.lr=0.001", "single_task task=shape".
    public var label: String { point.isEmpty ? policy : policy + " " + point.label }

    /// The groups of `runs`: policies in the experiment's order (single-task baselines last), then
    /// sweep points by their settings' values (γ = 1 before γ = 2, a single-task baseline's task in
    /// `taskOrder`) — never by the order the runs happened to reach the store, which parallel training
    /// shuffles; rows and their colours must not change from one report to the next.
    public static func groups(of runs: [StoredRun], policyOrder: [String], taskOrder: [String] = []) -> [RunGroup] {
        let unique = Set(runs.map { RunGroup(policy: $0.policy, point: $0.point) })
        return unique.sorted { a, b in
            let (x, y) = (policyOrder.firstIndex(of: a.policy) ?? .max, policyOrder.firstIndex(of: b.policy) ?? .max)
            if x != y { return x < y }
            if a.policy != b.policy { return a.policy < b.policy }
            for key in Set(a.point.values.keys).union(b.point.values.keys).sorted(by: { $0.path < $1.path }) {
                let order = SettingOrder.compare(a.point[key], b.point[key], taskOrder: key == .singleTask || key == .taskOrder ? taskOrder : [])
                if order != 0 { return order < 0 }
            }
            return a.point.json < b.point.json
        }
    }

    public func contains(_ run: StoredRun) -> Bool { run.policy == policy && run.point == point }

    /// A single-task baseline: runs of one task, the task their sweep point names.
    public var isSingleTask: Bool { point.singleTask != nil }
}
