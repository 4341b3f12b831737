import Foundation
import FulcrumCore
import FulcrumExperiment

/// The Markdown report of one experiment: the comparison of its policies over seeds (the DTP paper's
/// Table 1, with confidence intervals, Holm-corrected tests against the baseline, Δm and mean rank),
/// the findings generated from it with the set-up checks, the figures, the cost of the runs, the runs
/// that failed, and what it takes to reproduce them. Each section is a type that reads the
/// `Comparison` (or only the runs); this type puts them in order and writes the file.
public struct ExperimentReport {
    public let comparison: Comparison
    public var experiment: StoredExperiment { comparison.experiment }
    public var groups: [RunGroup] { comparison.groups }
    public var comparisonSplit: EvaluationSplit { comparison.comparisonSplit }
    public var validationEvaluations: [String: [StoredEvaluation]] { comparison.validationEvaluations }
    public var testEvaluations: [String: [StoredEvaluation]] { comparison.testEvaluations }
    public var finalTestEvaluations: [String: StoredEvaluation] { comparison.finalTestEvaluations }

    public typealias ReportError = ReportData.ReadError

    public init(experimentNamed name: String, store: RunStore, selection: KPISelection = .final) throws {
        self.init(try ReportData(experimentNamed: name, store: store), selection: selection)
    }

    public init(_ data: ReportData, selection: KPISelection = .final) {
        comparison = Comparison(data, selection: selection)
    }

    /// Mean and sample standard deviation of the final KPI of `policy` on task `task`, over finished seeds.
    public func finalKPI(policy: String, task: Int, split: EvaluationSplit = .validation) -> (mean: Double, standardDeviation: Double, seeds: Int) {
        comparison.finalKPI(policy: policy, task: task, split: split)
    }

    /// The report's figures of `kinds` (all by default), in the order the report shows them (written
    /// beside it by `write(to:)`).
    public func figures(_ kinds: [ReportFigure.Kind] = ReportFigure.Kind.allCases) -> [ReportFigure] {
        FigureSection(comparison: comparison).figures(kinds)
    }

    /// The comparison table: Markdown lines, no heading (notebooks show it alone).
    public var comparisonTable: [String] { ComparisonSection(comparison: comparison).table }

    /// The report without figures (they need a directory to live in: `write(to:)`).
    public var markdown: String { markdown(figures: [], directory: "") }

    /// The report: its sections in order, each a block of lines; a section with nothing to show is
    /// empty. `figures` are linked from `directory`, relative to the report.
    public func markdown(figures: [ReportFigure], directory: String) -> String {
        let (data, runs, groups) = (comparison.data, comparison.runs, comparison.groups)
        let sections = [
            HeadingSection(experiment: experiment, runs: runs).lines,
            ComparisonSection(comparison: comparison).lines,
            FindingsSection(comparison: comparison).lines,
            ValidationKPISection(comparison: comparison).lines,
            LossRatioSection(data: data, groups: groups, readsTestSplit: comparisonSplit == .test).lines,
            TaskPositionSection(comparison: comparison).lines,
            GenerationsSection(comparison: comparison).lines,
            FigureSection(comparison: comparison).lines(figures, directory: directory),
            CostSection(runs: runs, groups: groups,
                        searchRuns: data.generationRuns.filter { run in !runs.contains { $0.id == run.id } }).lines,
            // Every run that did not finish, a search's earlier generations' included.
            UnfinishedRunsSection(runs: runs + data.generationRuns.filter { run in !runs.contains { $0.id == run.id } }).lines,
            ReproducibilitySection(experiment: experiment, runs: runs).lines,
            ["_Written by `fulcrum report \(experiment.name)" + (comparison.selection == .final ? "" : " --select \(comparison.selection.rawValue)")
             + "` from the run store._"],
        ]
        return sections.filter { !$0.isEmpty }.map { $0.joined(separator: "\n") }.joined(separator: "\n\n") + "\n"
    }

    /// Writes the report to `path`, creating its directory, and its figures beside it in the folder of
    /// the same name (`notebooks-md/NAME.md` → `notebooks-md/NAME/`); the notes block of the file it
    /// replaces (`ReportNotes`) is carried over.
    public func write(to path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        let figureFolder = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        let figures = figures()
        try FigureSection.writeFigures(figures, into: directory.isEmpty ? figureFolder : "\(directory)/\(figureFolder)")
        var text = markdown(figures: figures, directory: figureFolder)
        if let old = try? String(contentsOfFile: path, encoding: .utf8), let notes = ReportNotes.extract(from: old) {
            text = ReportNotes.insert(notes, into: text)
        }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }
}
