import Foundation
/// Which planned runs `fulcrum run` trains, and how: `--only policy=dtp,seed=1`, `--shard 2/4`,
/// `--force`, `--jobs`.
public struct RunSelection: Sendable, Equatable {
    /// Rerun runs the store already holds as finished.
    public var force = false
    /// Runs trained at once, each on its own thread.
    public var jobs = 1
    /// key → accepted values; a run must match every key given (any of its values).
    public var filters: [String: Set<String>] = [:]
    /// The slice of the plan to train (all of it by default).
    public var shard = Shard.whole

    public static let filterKeys = ["policy", "seed"]

    /// Runs trained at once when no `--jobs` is given: the cores ÷ the manifest's `train.threads`.
    public static func defaultJobs(for manifest: Manifest) -> Int {
        max(ProcessInfo.processInfo.activeProcessorCount / manifest.threads, 1)
    }

    public init(force: Bool = false, jobs: Int = 1, filters: [String: Set<String>] = [:], shard: Shard = .whole) {
        self.force = force
        self.jobs = jobs
        self.filters = filters
        self.shard = shard
    }

    /// Parses `policy=dtp,seed=1,seed=2` (a key given twice accepts either value).
    public static func parseFilters(_ text: String) throws(SelectionError) -> [String: Set<String>] {
        var filters: [String: Set<String>] = [:]
        for item in text.split(separator: ",", omittingEmptySubsequences: true) {
            let pair = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, !pair[1].isEmpty else {
                throw SelectionError(message: "--only: '\(item)' is not key=value, e.g. policy=dtp,seed=1")
            }
            guard filterKeys.contains(pair[0]) else {
                throw SelectionError(message: "--only: unknown key '\(pair[0])'; valid keys: \(filterKeys.joined(separator: ", "))")
            }
            filters[pair[0], default: []].insert(pair[1])
        }
        return filters
    }

    func matches(_ run: ExperimentRunner.PlannedRun) -> Bool {
        if let policies = filters["policy"], !policies.contains(run.policy.name) { return false }
        if let seeds = filters["seed"], !seeds.contains(String(run.seed)) { return false }
        return true
    }

    /// `--shard i/N`: the i-th of N disjoint slices of a manifest's runs (every N-th run of the plan,
    /// starting at the i-th), so N machines each train one slice into their own store and
    /// `fulcrum merge` joins them.
    public struct Shard: Sendable, Equatable {
        public let index: Int
        public let count: Int

        public static let whole = Shard(index: 1, count: 1)

        public init(index: Int, count: Int) {
            self.index = index
            self.count = count
        }

        /// Parses `i/N` with 1 ≤ i ≤ N.
        public static func parse(_ text: String) throws(SelectionError) -> Shard {
            let parts = text.split(separator: "/", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard parts.count == 2, let index = parts[0], let count = parts[1], count >= 1, (1...count).contains(index) else {
                throw SelectionError(message: "--shard: expected i/N with 1 ≤ i ≤ N (e.g. 2/4), got '\(text)'")
            }
            return Shard(index: index, count: count)
        }

        /// Whether the run at `position` (0-based) of the plan is in this slice.
        func contains(_ position: Int) -> Bool { position % count == index - 1 }
    }

    public struct SelectionError: Error, Equatable, CustomStringConvertible {
        public let message: String
        public var description: String { message }
        public init(message: String) { self.message = message }
    }
}
