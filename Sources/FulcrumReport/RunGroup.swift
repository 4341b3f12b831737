import Foundation
import FulcrumExperiment
import FulcrumLua

/// A row of a comparison: one policy at one sweep point, over its seeds. Without a sweep there is
/// one group per policy, named by the policy alone.
public struct RunGroup: Sendable, Hashable {
    public let policy: String
    /// The sweep point as stored (JSON object, `{}` without a sweep).
    public let variant: String

    /// "dtp", "dtp gamma=2 train.lr=0.001", "single_task task=shape".
    public var label: String {
        let settings = Self.settings(variant)
        return settings.isEmpty ? policy : policy + " " + settings.joined(separator: " ")
    }

    /// The groups of `runs`: policies in the experiment's order (single-task baselines last), then
    /// sweep points by their settings' values (γ = 1 before γ = 2, a single-task baseline's task in
    /// `taskOrder`) — never by the order the runs happened to reach the store, which parallel training
    /// shuffles; rows and their colours must not change from one report to the next.
    public static func groups(of runs: [StoredRun], policyOrder: [String], taskOrder: [String] = []) -> [RunGroup] {
        let unique = Set(runs.map { RunGroup(policy: $0.policy, variant: $0.variant) })
        return unique.sorted { a, b in
            let (x, y) = (policyOrder.firstIndex(of: a.policy) ?? .max, policyOrder.firstIndex(of: b.policy) ?? .max)
            if x != y { return x < y }
            if a.policy != b.policy { return a.policy < b.policy }
            let (p, q) = (a.point, b.point)
            for key in Set(p.keys).union(q.keys).sorted() {
                let order = SettingOrder.compare(p[key], q[key], taskOrder: key == "task" || key == "model.task_order" ? taskOrder : [])
                if order != 0 { return order < 0 }
            }
            return a.variant < b.variant
        }
    }

    public func contains(_ run: StoredRun) -> Bool { run.policy == policy && run.variant == variant }

    /// The sweep point's settings by key path (`policies.dtp.options.gamma`, `train.lr`, `task`).
    public var point: [String: PolicyOption] { Self.point(variant) }

    /// A single-task baseline: the runner's `single_task` runs, one task each.
    public var isSingleTask: Bool { policy == "single_task" }

    static func point(_ json: String) -> [String: PolicyOption] {
        (try? JSONDecoder().decode([String: PolicyOption].self, from: Data(json.utf8))) ?? [:]
    }

    /// `key=value` for each setting, sorted by key; a policy option is named by its option alone.
    private static func settings(_ json: String) -> [String] {
        let point = point(json)
        return point.keys.sorted().map { SweepSetting(path: $0, value: point[$0]!).description }
    }
}
