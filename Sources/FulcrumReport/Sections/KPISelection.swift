import FulcrumCore
import FulcrumExperiment

/// Which KPI of a run the comparison reads: the one after the last step (on test when the runs have
/// it), the one after the last step on validation (to choose settings without reading the test
/// split, as a grid search must), or the one at the evaluation where the run did best on the
/// validation split (early stopping, as papers that select checkpoints on validation report).
public enum KPISelection: String, Sendable, CaseIterable {
    case final
    case finalValidation = "final-validation"
    case bestValidation = "best-validation"
}

extension Comparison {
    /// The split the comparison reads: test after the last step when the runs have it and the
    /// selection is `final`; validation otherwise (the test split is evaluated only at the start and
    /// the end, so a checkpoint chosen on validation has no test numbers, and a search must not read it).
    public var comparisonSplit: EvaluationSplit {
        selection == .final && !testEvaluations.isEmpty ? .test : .validation
    }

    /// One sentence saying what the comparison's numbers are.
    var selectionSentence: String {
        switch (selection, comparisonSplit) {
        case (.final, .test): "the held-out test split's KPI after the last step"
        case (.final, _), (.finalValidation, _): "the validation KPI after the last step"
        case (.bestValidation, _): "the validation KPI at the evaluation where the run's mean validation KPI over its tasks was highest (ties: the earliest)"
        }
    }

    /// The selected KPI of a finished run for each experiment task (nil where the run has no value:
    /// a single-task run holds its own task only).
    func selectedKPIs(of run: StoredRun) -> [Double?] {
        switch selection {
        case .final, .finalValidation: finalKPIs(of: run, split: comparisonSplit)
        case .bestValidation: kpis(Comparison.bestEvaluation(validationEvaluations[run.id] ?? []), of: run)
        }
    }

    /// A finished run's KPI per experiment task after its last step on `split`.
    func finalKPIs(of run: StoredRun, split: EvaluationSplit) -> [Double?] {
        kpis((split == .test ? finalTestEvaluations : finalEvaluations)[run.id], of: run)
    }

    /// `evaluation`'s KPI per experiment task, placed by the run's own task positions.
    private func kpis(_ evaluation: StoredEvaluation?, of run: StoredRun) -> [Double?] {
        experiment.tasks.indices.map { task in
            guard let evaluation else { return nil }
            return Comparison.position(of: task, in: run).flatMap { $0 < evaluation.kpi.count ? evaluation.kpi[$0] : nil }
        }
    }

    /// The evaluation with the highest mean KPI, the earliest among equals; step 0 (before training) is
    /// left out when there is a later one.
    static func bestEvaluation(_ evaluations: [StoredEvaluation]) -> StoredEvaluation? {
        let trained = evaluations.filter { $0.step > 0 }
        let candidates = trained.isEmpty ? evaluations : trained
        var best: StoredEvaluation?
        for evaluation in candidates where best == nil || Statistics.mean(evaluation.kpi) > Statistics.mean(best!.kpi) {
            best = evaluation
        }
        return best
    }
}
