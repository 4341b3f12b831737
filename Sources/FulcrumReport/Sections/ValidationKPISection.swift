import FulcrumExperiment

/// "## Final validation KPI": when the comparison reads the test split, the validation KPI the policies
/// saw, for contrast.
struct ValidationKPISection {
    let comparison: Comparison

    var lines: [String] {
        guard comparison.comparisonSplit == .test else { return [] }
        return ["## Final validation KPI", "", "KPI in %, mean ± sample std over seeds, after the last step; best "
                + (comparison.groups.contains(where: \.isSingleTask) ? "multi-task " : "") + "mean per task in bold.", ""]
            + comparison.kpiTable(.validation)
    }
}
