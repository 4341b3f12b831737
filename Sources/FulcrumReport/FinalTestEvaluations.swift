import FulcrumCore
import FulcrumExperiment

extension ExperimentReport {
    /// The test evaluation after the last step of each finished run that has one (the test split is
    /// evaluated before the first step and after the last only; the synthetic data has none).
    public var finalTestEvaluations: [String: StoredEvaluation] { testEvaluations.compactMapValues(\.last) }
}
