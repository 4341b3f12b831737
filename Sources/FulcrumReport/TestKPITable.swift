import FulcrumCore
import FulcrumExperiment

/// The held-out test split's KPI table, first in the report when the runs' data has a test split
/// (it is evaluated before the first step and after the last only; the synthetic data has none).
extension ExperimentReport {
    /// The test evaluation after the last step of each finished run that has one.
    public var finalTestEvaluations: [String: StoredEvaluation] { testEvaluations.compactMapValues(\.last) }

    var testKPISection: [String] {
        guard !testEvaluations.isEmpty else { return [] }
        return ["## Final test KPI", "",
                "KPI in %, mean ± sample std over seeds, after the last step on the held-out test split; best mean per task in bold.",
                ""] + kpiTable(.test)
    }
}
