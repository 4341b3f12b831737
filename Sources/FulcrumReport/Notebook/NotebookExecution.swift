import Foundation
import FulcrumExperiment

/// A notebook command ready to run: `run`'s manifest loaded (as its alias, in its quick form, when asked).
enum PreparedInstruction {
    case run(ExperimentRunner)
    case report(NotebookInstruction.Report)
}

extension NotebookSession {
    func prepare(_ instruction: NotebookInstruction) throws -> PreparedInstruction {
        switch instruction {
        case let .run(run):
            let manifest = try run.formArguments.load(run.manifest, addedPolicies: inlinePolicies)
            return .run(ExperimentRunner(manifest: manifest, store: try writableStore(), observer: makeObserver?()))
        case let .report(report):
            return .report(report)
        }
    }

    /// Runs the command; its output as Markdown lines.
    func execute(_ instruction: PreparedInstruction) throws -> [String] {
        switch instruction {
        case let .run(runner):
            return try train(runner)
        case let .report(report):
            return try self.report(report)
        }
    }

    /// Trains the runs not yet finished; a short summary that does not change from one pass to the
    /// next (no timings, no count of runs skipped): runs, finished, and the failures with their errors.
    private func train(_ runner: ExperimentRunner) throws -> [String] {
        let manifest = runner.manifest
        let jobs = jobs ?? RunSelection.defaultJobs(for: manifest)
        let outcomes = try runner.run(RunSelection(jobs: jobs))
        if outcomes.contains(where: { $0.status == .interrupted }) {
            throw NotebookError(file: path, line: nil, message: "\(manifest.name): interrupted; run the notebook again to resume")
        }
        let failures = outcomes.filter { $0.error != nil }
        var counts = ["\(outcomes.count - failures.count) finished"]
        for status in [StoredRun.Status.failed, .diverged] {
            let count = failures.filter { ($0.status ?? .failed) == status }.count
            if count > 0 { counts.append("\(count) \(status.rawValue)") }
        }
        var lines = ["\(manifest.name): \(outcomes.count) runs (\(RunCount(manifest).description)), \(counts.joined(separator: ", "))"]
        for failure in failures {
            lines.append("\((failure.status ?? .failed).rawValue): \(failure.run.label): \(failure.error ?? "")")
        }
        let fence = MarkdownFence.backticks(enclosing: lines)
        return [fence + "text"] + lines + [fence]
    }

    private func report(_ instruction: NotebookInstruction.Report) throws -> [String] {
        let store = try existingStore() ?? RunStore.existing(at: storePath)  // the latter says there is none
        let report = try ExperimentReport(experimentNamed: instruction.experiment, store: store)
        switch instruction.form {
        case .table: return report.comparisonTable
        case .full: return Self.demotingHeadings(report.markdown)
        case let .figures(kinds): return try figures(of: report, kinds: kinds)
        }
    }

    /// The figures of `kinds`, written beside the notebook (only when their bytes change), as image
    /// links; a kind without figures says so.
    private func figures(of report: ExperimentReport, kinds: [ReportFigure.Kind]) throws -> [String] {
        let experiment = report.experiment.name
        var paragraphs: [String] = []
        let figures = report.figures(kinds)
        for kind in kinds {
            let chosen = figures.filter { $0.kind == kind }
            if chosen.isEmpty { paragraphs.append("_no figures of kind \(kind.rawValue)_") }
            for figure in chosen {
                let file = paths.figureFile(experiment: experiment, fileName: figure.fileName)
                let bytes = Data(figure.svg.utf8)
                if FileManager.default.contents(atPath: file) != bytes {
                    try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                    try bytes.write(to: URL(fileURLWithPath: file), options: .atomic)
                }
                paragraphs.append(ReportFigure.imageLink(title: figure.title, path: paths.figureLink(experiment: experiment, fileName: figure.fileName)))
            }
        }
        return Array(paragraphs.map { [$0] }.joined(separator: [""]))
    }

    /// `markdown`'s lines with each heading two levels down (`#` → `###`, at most `######`), so a
    /// report sits under the notebook's own headings; lines in code blocks are left alone.
    static func demotingHeadings(_ markdown: String) -> [String] {
        var lines = markdown.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        var fence: MarkdownFence?
        return lines.map { line in
            let bytes = ArraySlice(Array(line.utf8))
            if let open = fence {
                if open.isClosed(by: bytes) { fence = nil }
                return line
            }
            if let opening = MarkdownFence.opening(bytes) {
                fence = opening
                return line
            }
            let level = line.prefix { $0 == "#" }.count
            guard (1...6).contains(level), line.count == level || line.dropFirst(level).first == " " else { return line }
            return String(repeating: "#", count: min(level + 2, 6)) + line.dropFirst(level)
        }
    }
}
