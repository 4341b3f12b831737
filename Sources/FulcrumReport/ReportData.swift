import FulcrumExperiment

/// What a report shows of one experiment, read from the store once: the experiment, its runs, and
/// each finished run's evaluations, the weights it applied at each recorded step and the series its
/// policy logged. Every section and figure reads this value, never the store.
public struct ReportData {
    public let experiment: StoredExperiment
    /// The runs the comparison reads: every run, but for a policy with generations only its last
    /// generation's (the earlier ones are the search that led there: `generationRuns`).
    public let runs: [StoredRun]
    /// Every run of the policies that remember, all generations (the generations section).
    public let generationRuns: [StoredRun]
    /// Every validation evaluation of each finished run, in step order, by run id.
    public let validationEvaluations: [String: [StoredEvaluation]]
    /// Test evaluations (before the first step and after the last) of each finished run that has them.
    public let testEvaluations: [String: [StoredEvaluation]]
    /// The test evaluation after the last step of each finished run that has one (the test split is
    /// evaluated before the first step and after the last only; the synthetic data has none).
    public var finalTestEvaluations: [String: StoredEvaluation] { testEvaluations.compactMapValues(\.last) }
    /// The weight each finished multi-task run applied to each task at each recorded step, in step
    /// and task order, by run id.
    let stepWeights: [String: [(step: Int, task: Int, weight: Double)]]
    /// What each finished multi-task run's policy logged with `log(name, value)`, by run id.
    let policyLogs: [String: [(step: Int, name: String, value: Double)]]

    public enum ReadError: Error, CustomStringConvertible {
        case unknownExperiment(String, known: [String])

        public var description: String {
            switch self {
            case let .unknownExperiment(name, known):
                "no experiment '\(name)' in the store" + (known.isEmpty ? " (it is empty: run a manifest first)" : "; known: \(known.joined(separator: ", "))")
            }
        }
    }

    public init(experimentNamed name: String, store: RunStore) throws {
        guard let experiment = try store.experiment(named: name) else {
            throw ReadError.unknownExperiment(name, known: try store.experimentNames())
        }
        self.experiment = experiment
        let stored = try store.runs(of: experiment)
        generationRuns = stored.filter { $0.generation != nil }
        // A chain's last generation: the largest of its policy at its sweep point.
        var last: [String: Int] = [:]
        for run in generationRuns { last[run.policy + run.point.json] = max(last[run.policy + run.point.json] ?? 0, run.generation ?? 0) }
        runs = stored.filter { run in run.generation.map { $0 == last[run.policy + run.point.json] } ?? true }
        var validation: [String: [StoredEvaluation]] = [:], tests: [String: [StoredEvaluation]] = [:]
        var weights: [String: [(step: Int, task: Int, weight: Double)]] = [:]
        var logs: [String: [(step: Int, name: String, value: Double)]] = [:]
        for run in runs where run.status == .finished {
            validation[run.id] = try store.evaluations(ofRun: run.id)
            let test = try store.evaluations(ofRun: run.id, split: .test)
            if !test.isEmpty { tests[run.id] = test }
            guard run.tasks == nil else { continue }
            weights[run.id] = try store.stepSeries(ofRun: run.id).map { ($0.step, $0.task, $0.weight) }
            logs[run.id] = try store.policyLogs(ofRun: run.id)
        }
        for run in generationRuns where run.status == .finished && validation[run.id] == nil {
            validation[run.id] = try store.evaluations(ofRun: run.id)
        }
        validationEvaluations = validation
        testEvaluations = tests
        stepWeights = weights
        policyLogs = logs
    }
}
