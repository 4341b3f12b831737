import Foundation
import FulcrumCore
import FulcrumExperiment

/// The Markdown report of one experiment: the comparison of its policies over seeds (the DTP paper's
/// Table 1, with confidence intervals, Holm-corrected tests against the baseline, Δm and mean rank),
/// the findings generated from it with the set-up checks, the figures, the cost of the runs, the runs
/// that failed, and what it takes to reproduce them.
public struct ExperimentReport {
    /// Everything the report shows, read from the store once.
    public let data: ReportData
    public var experiment: StoredExperiment { data.experiment }
    public var runs: [StoredRun] { data.runs }
    /// Which KPI of each run the comparison reads.
    public let selection: KPISelection
    public var validationEvaluations: [String: [StoredEvaluation]] { data.validationEvaluations }
    /// Final validation evaluation of each finished run, by run id.
    public let finalEvaluations: [String: StoredEvaluation]
    public var testEvaluations: [String: [StoredEvaluation]] { data.testEvaluations }
    public var finalTestEvaluations: [String: StoredEvaluation] { data.finalTestEvaluations }
    /// Σ_t w_t, the sum of the weights the trainer applied, at each recorded step of each finished
    /// multi-task run, by run id (the Findings' step-size check and its figure).
    let weightSums: [String: [(step: Int, sum: Double)]]

    public typealias ReportError = ReportData.ReadError

    /// The report's rows: each policy at each sweep point, in a fixed order (`RunGroup.groups`).
    public let groups: [RunGroup]
    /// The comparison's rows, in the groups' order, with the KPIs `selection` reads: computed once,
    /// read by the tables, the Findings and the figures.
    private(set) var comparisonRows: [ComparisonRow] = []

    public init(experimentNamed name: String, store: RunStore, selection: KPISelection = .final) throws {
        self.init(try ReportData(experimentNamed: name, store: store), selection: selection)
    }

    public init(_ data: ReportData, selection: KPISelection = .final) {
        self.data = data
        self.selection = selection
        groups = RunGroup.groups(of: data.runs, policyOrder: data.experiment.policies, taskOrder: data.experiment.tasks.map(\.name))
        finalEvaluations = data.validationEvaluations.compactMapValues(\.last)
        weightSums = data.stepWeights.mapValues(Self.weightSums).filter { !$0.value.isEmpty }
        comparisonRows = rows(reading: selectedKPIs)
    }

    /// Mean and sample standard deviation of the final KPI of `policy` on task `task`, over finished seeds.
    public func finalKPI(policy: String, task: Int, split: EvaluationSplit = .validation) -> (mean: Double, standardDeviation: Double, seeds: Int) {
        summarise(runs.filter { $0.policy == policy }, task: task, split: split)
    }

    private func summarise(_ runs: [StoredRun], task: Int, split: EvaluationSplit) -> (mean: Double, standardDeviation: Double, seeds: Int) {
        let values = runs.filter { $0.status == .finished }.compactMap { finalKPIs(of: $0, split: split)[task] }
        return (Statistics.mean(values), Statistics.standardDeviation(values), values.count)
    }

    /// Where the experiment's task `task` is in `run`'s own series: a single-task run holds its task only.
    static func position(of task: Int, in run: StoredRun) -> Int? {
        guard let positions = run.tasks else { return task }
        return positions.firstIndex(of: task)
    }

    /// The report without figures (they need a directory to live in: `write(to:)`).
    public var markdown: String { markdown(figures: [], directory: "") }

    /// The report: its sections in order, each a block of lines; a section with nothing to show is
    /// empty. `figures` are linked from `directory`, relative to the report.
    public func markdown(figures: [ReportFigure], directory: String) -> String {
        let sections = [
            HeadingSection(experiment: experiment, runs: runs).lines,
            comparisonSection,
            findingsSection,
            validationKPISection,
            LossRatioSection(data: data, groups: groups, readsTestSplit: comparisonSplit == .test).lines,
            taskPositionSection,
            figureSection(figures, directory: directory),
            CostSection(runs: runs, groups: groups).lines,
            UnfinishedRunsSection(runs: runs).lines,
            ReproducibilitySection(experiment: experiment, runs: runs).lines,
            ["_Written by `fulcrum report \(experiment.name)" + (selection == .final ? "" : " --select \(selection.rawValue)")
             + "` from the run store._"],
        ]
        return sections.filter { !$0.isEmpty }.map { $0.joined(separator: "\n") }.joined(separator: "\n\n") + "\n"
    }

    /// When the comparison reads the test split, the validation KPI the policies saw, for contrast.
    private var validationKPISection: [String] {
        guard comparisonSplit == .test else { return [] }
        return ["## Final validation KPI", "", "KPI in %, mean ± sample std over seeds, after the last step; best "
                + (groups.contains(where: \.isSingleTask) ? "multi-task " : "") + "mean per task in bold.", ""]
            + kpiTable(.validation)
    }

    /// Policy × task final KPI on `split`, with the seeds that finished.
    func kpiTable(_ split: EvaluationSplit) -> [String] {
        let rows = rows { finalKPIs(of: $0, split: split) }
        let best = Self.bestMeans(rows)
        let tasks = experiment.tasks
        var lines = ["| policy |" + tasks.map { " \($0.name) (\($0.kpi)) |" }.joined() + " seeds |",
                     "|---|" + String(repeating: "---:|", count: tasks.count) + "---:|"]
        for row in rows {
            lines.append("| \(row.group.label) |" + tasks.indices.map { " \(Self.kpiCell(row, $0, best: best)) |" }.joined()
                         + " \(row.seedsFinished)/\(row.planned) |")
        }
        return lines
    }

    /// Writes the report to `path`, creating its directory, and its figures beside it in the folder of
    /// the same name (`notebooks-md/NAME.md` → `notebooks-md/NAME/`); the notes block of the file it
    /// replaces (`ReportNotes`) is carried over.
    public func write(to path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        let figureFolder = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        let figures = figures()
        try Self.writeFigures(figures, into: directory.isEmpty ? figureFolder : "\(directory)/\(figureFolder)")
        var text = markdown(figures: figures, directory: figureFolder)
        if let old = try? String(contentsOfFile: path, encoding: .utf8), let notes = ReportNotes.extract(from: old) {
            text = ReportNotes.insert(notes, into: text)
        }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }
}
