/// Which planned runs `fulcrum run` trains, and how: `--only policy=dtp,seed=1`, `--force`, `--jobs`.
public struct RunSelection: Sendable, Equatable {
    /// Rerun runs the store already holds as finished.
    public var force = false
    /// Runs trained at once, each on its own thread.
    public var jobs = 1
    /// key → accepted values; a run must match every key given (any of its values).
    public var filters: [String: Set<String>] = [:]

    public static let filterKeys = ["policy", "seed"]

    public init(force: Bool = false, jobs: Int = 1, filters: [String: Set<String>] = [:]) {
        self.force = force
        self.jobs = jobs
        self.filters = filters
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

    func matches(policy: String, seed: UInt64) -> Bool {
        if let policies = filters["policy"], !policies.contains(policy) { return false }
        if let seeds = filters["seed"], !seeds.contains(String(seed)) { return false }
        return true
    }

    public struct SelectionError: Error, Equatable, CustomStringConvertible {
        public let message: String
        public var description: String { message }
        public init(message: String) { self.message = message }
    }
}
