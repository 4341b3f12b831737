import FulcrumExperiment

/// What a report shows of one experiment, read from the store once: the experiment, its runs, and
/// each finished run's evaluations, the weights it applied at each recorded step and the series its
/// policy logged. Every section and figure reads this value, never the store.
public struct ReportData {
    public let experiment: StoredExperiment
    public let runs: [StoredRun]
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
        runs = try store.runs(of: experiment)
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
        validationEvaluations = validation
        testEvaluations = tests
        stepWeights = weights
        policyLogs = logs
    }
}
