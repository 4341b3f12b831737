import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import FulcrumExperiment
import FulcrumReport
import FulcrumTestSupport
import Testing

/// The figures `fulcrum report` writes, for experiments trained through the runner: file names, XML
/// that parses, the series each figure should hold, one colour per row, and the folder `write(to:)`
/// keeps in step with the report.
@Suite("Report figures of real runs")
struct ReportFigureTests {
    let scratch = ScratchDirectory()

    /// Two tasks, four steps, two seeds: equal, DTP, and a policy that weights `size` by γ (swept over
    /// 1 and 2) and logs the ratio of the losses; plus single-task baselines. Rows of the comparison:
    /// equal, dtp, ratio gamma=1, ratio gamma=2, single_task task=shape, single_task task=size.
    func twoTaskManifest(policies: [String] = ["equal", "dtp", "ratio"], gammas: String = "[1, 2]") -> String {
        let ratio = scratch.write("ratio.lua", """
            local P = { name = "ratio", defaults = { gamma = 1.0 } }
            function P:weights(s)
              log("ratio", s.loss[1] / s.loss[2])
              return { 1, self.gamma }
            end
            return P
            """)
        let scripts = ["equal": "\(repositoryRoot)/policies/equal.lua", "dtp": "\(repositoryRoot)/policies/dtp.lua", "ratio": ratio]
        return scratch.write("two.yaml", """
            name: two
            data: { dataset: synthetic, input_dim: 4, train_size: 32, val_size: 16 }
            tasks:
              - { name: shape, type: classification, classes: 2 }
              - { name: size, type: binary }
            model: { architecture: hard_sharing, trunk: [4] }
            train: { steps: 4, batch_size: 8, optimizer: sgd, lr: 0.1, eval_every: 2 }
            seeds: [1, 2]
            policies:
            \(policies.map { "  \($0): { script: \(scripts[$0]!) }" }.joined(separator: "\n"))
            sweep:
              policies.ratio.options.gamma: \(gammas)
            baselines: single_task
            """)
    }

    /// Three tasks in a hierarchy, in all six orders, one seed, two steps.
    var orderingManifest: String {
        scratch.write("orders.yaml", """
            name: orders
            data: { dataset: synthetic, input_dim: 4, train_size: 16, val_size: 16 }
            tasks:
              - { name: shape, type: binary }
              - { name: size, type: binary }
              - { name: tilt, type: binary }
            model: { architecture: task_hierarchy, trunk: [4, 4, 4] }
            train: { steps: 2, batch_size: 8, optimizer: sgd, lr: 0.1, eval_every: 1 }
            seeds: [1]
            sweep: { model.task_order: permutations }
            policies: { equal: { script: \(repositoryRoot)/policies/equal.lua } }
            """)
    }

    /// Trains `manifestFile` into the scratch store (four runs at a time: the rows must not depend on
    /// which finished first) and reports on it.
    func trainedReport(_ manifestFile: String) throws -> ExperimentReport {
        let manifest = try Manifest.load(manifestFile)
        let store = try RunStore(path: "\(scratch.path)/store.sqlite")
        let outcomes = try ExperimentRunner(manifest: manifest, store: store).run(RunSelection(jobs: 4))
        #expect(outcomes.allSatisfy { $0.status == .finished || $0.skipped })
        return try ExperimentReport(experimentNamed: manifest.name, store: store)
    }

    /// The figure named `fileName`, parsed.
    private func parsed(_ fileName: String, of report: ExperimentReport, sourceLocation: SourceLocation = #_sourceLocation) throws -> ParsedSVG {
        let figure = try #require(report.figures().first { $0.fileName == fileName }, "no \(fileName)", sourceLocation: sourceLocation)
        return ParsedSVG(figure.svg, sourceLocation: sourceLocation)
    }

    let rowLabels = ["equal", "dtp", "ratio gamma=1", "ratio gamma=2", "single_task task=shape", "single_task task=size"]

    @Test func figuresAreNamedByTaskRowSweptOptionAndLoggedSeries() throws {
        let report = try trainedReport(twoTaskManifest())
        #expect(report.groups.map(\.label) == rowLabels)
        #expect(try report.figures().map(\.fileName) == [
            "kpi-shape.svg", "kpi-size.svg",
            "weights-equal.svg", "weights-dtp.svg", "weights-ratio-gamma-1.svg", "weights-ratio-gamma-2.svg",
            "weight-sum-over-training.svg", "options-policies-ratio-options-gamma.svg", "series-ratio.svg",
        ])
        #expect(try report.figures().map(\.kind) == [.kpi, .kpi, .weights, .weights, .weights, .weights, .weightSum, .options, .series])
    }

    @Test func everyFigureIsAWellFormedSVGWithoutNonFiniteNumbers() throws {
        let reports = [try trainedReport(twoTaskManifest()), try trainedReport(orderingManifest)]
        for figure in reports.flatMap({ $0.figures() }) {
            let root = ParsedSVG(figure.svg).elements.first
            #expect(root?.name == "svg" && root?.attributes["xmlns"] == "http://www.w3.org/2000/svg", "\(figure.fileName)")
            let lowered = figure.svg.lowercased()
            #expect(!lowered.contains("nan") && !lowered.contains("inf"), "\(figure.fileName)")
        }
    }

    @Test func kpiFiguresHaveALineAndASeedBandPerRowThatHasTheTask() throws {
        let report = try trainedReport(twoTaskManifest())
        let evaluatedSteps = Set(report.validationEvaluations.values.joined().map(\.step)).count
        for task in ["shape", "size"] {
            let figure = try parsed("kpi-\(task).svg", of: report)
            #expect(figure.seriesNames == ["equal", "dtp", "ratio gamma=1", "ratio gamma=2", "single_task task=\(task)"])
            for series in figure.withClass("series", "g") {
                let paths = figure.children(of: series).filter { $0.name == "path" }
                #expect(paths.filter { $0.attributes["class"] == "band" }.count == 1, "\(task): \(series.attributes)")
                let line = try #require(paths.first { $0.attributes["class"] == nil })
                #expect(ParsedSVG.vertices(line) == evaluatedSteps, "\(task): \(series.attributes)")
            }
        }
    }

    @Test func aRowHasOneColourOnEveryLineAndLegendSwatch() throws {
        let report = try trainedReport(twoTaskManifest())
        var colours: [String: Set<String>] = [:]
        for figure in report.figures().map({ ParsedSVG($0.svg) }) {
            for series in figure.withClass("series", "g") {
                guard let name = series.attributes["data-series"], rowLabels.contains(name) else { continue }
                colours[name, default: []].insert(series.attributes["stroke"] ?? "none")
            }
            for entry in figure.withClass("legend-entry", "g") {
                let children = figure.children(of: entry)
                let name = (children.first { $0.name == "title" } ?? children.first { $0.name == "text" })?.text ?? ""
                guard rowLabels.contains(name) else { continue }
                colours[name, default: []].insert(children.first { $0.name == "line" }?.attributes["stroke"] ?? "none")
            }
        }
        #expect(Set(colours.keys) == Set(rowLabels))
        for (label, strokes) in colours { #expect(strokes.count == 1, "\(label): \(strokes)") }
        #expect(Set(colours.values.compactMap(\.first)).count == rowLabels.count, "rows share a colour: \(colours)")
    }

    @Test func weightFiguresHaveALinePerTaskAndATilePerTaskAndStretchOfTraining() throws {
        let report = try trainedReport(twoTaskManifest())
        for row in ["equal", "dtp", "ratio-gamma-1", "ratio-gamma-2"] {
            let figure = try parsed("weights-\(row).svg", of: report)
            #expect(figure.seriesNames == ["shape", "size"], "\(row)")
            let lines = figure.withClass("series", "g").compactMap { figure.children(of: $0).first { $0.name == "path" } }
            #expect(lines.map(ParsedSVG.vertices) == [4, 4], "\(row): a point per step")
            // Four recorded steps: four columns of the Fig. 3 tiles, each titled "task, from step: share".
            let tiles = figure.withClass("tile", "rect").map { tile in figure.children(of: tile).first { $0.name == "title" }?.text ?? "" }
            #expect(tiles.count == 2 * 4, "\(row)")
            #expect(tiles.filter { $0.hasPrefix("shape, ") }.count == 4 && tiles.filter { $0.hasPrefix("size, ") }.count == 4, "\(row)")
        }
        // ratio weights size by γ: its share of the weight is γ / (1 + γ) all along.
        let titles = try parsed("weights-ratio-gamma-2.svg", of: report).elements.filter { $0.name == "title" }.map(\.text)
        #expect(titles.filter { $0.hasPrefix("size, ") }.allSatisfy { $0.hasSuffix(": 0.667") }, "\(titles)")
        #expect(titles.filter { $0.hasPrefix("shape, ") }.allSatisfy { $0.hasSuffix(": 0.333") }, "\(titles)")
    }

    @Test func theLoggedSeriesFigureHasTheRowsThatLoggedAtEveryStep() throws {
        let report = try trainedReport(twoTaskManifest())
        let figure = try parsed("series-ratio.svg", of: report)
        #expect(figure.seriesNames == ["ratio gamma=1", "ratio gamma=2"])
        for series in figure.withClass("series", "g") {
            // One point per step, the mean over the two seeds.
            let line = try #require(figure.children(of: series).first { $0.name == "path" })
            #expect(ParsedSVG.vertices(line) == 4)
        }
    }

    @Test func theOptionFigureHasAPanelPerTaskWithTheSweptPolicyAlongItsValues() throws {
        let report = try trainedReport(twoTaskManifest())
        let figure = try parsed("options-policies-ratio-options-gamma.svg", of: report)
        let panels = figure.withClass("line-chart", "g")
        #expect(panels.count == 2)
        for panel in panels {
            let series = figure.descendants(of: panel).filter { $0.attributes["class"] == "series" }
            // equal and dtp have no γ: only ratio, at γ = 1 and 2, with error bars over the seeds.
            #expect(series.map { $0.attributes["data-series"] } == ["ratio"])
            let paths = series.first.map(figure.children) ?? []
            #expect(paths.first { $0.attributes["class"] == nil }.map(ParsedSVG.vertices) == 2)
            #expect(paths.contains { $0.attributes["class"] == "error-bars" })
        }
    }

    @Test func anOrderingSweepHasABoxForEveryTaskAtEveryPosition() throws {
        let report = try trainedReport(orderingManifest)
        let figure = try parsed("positions-by-task.svg", of: report)
        let boxes = figure.withClass("box", "g")
        let cells = boxes.map { "\($0.attributes["data-category"] ?? "?") at \($0.attributes["data-member"] ?? "?")" }
        #expect(cells == ["shape", "size", "tilt"].flatMap { task in (1...3).map { "\(task) at position \($0)" } })
        // Each task is at each position in two of the six orders.
        #expect(figure.withClass("count", "text").map(\.text) == Array(repeating: "n=2", count: 9))
        // A position has one colour across tasks, and each position its own.
        let strokes = Dictionary(grouping: boxes, by: { $0.attributes["data-member"] ?? "?" }).mapValues { Set($0.compactMap { $0.attributes["stroke"] }) }
        #expect(strokes.values.allSatisfy { $0.count == 1 } && Set(strokes.values.compactMap(\.first)).count == 3, "\(strokes)")
    }

    /// Rows, and so their colours, are the same whatever order the runs reached the store in: a sweep
    /// value added in front of the others trains last but is shown in its place.
    @Test func rowsAreOrderedBySettingValueWhicheverTrainedFirst() throws {
        _ = try trainedReport(twoTaskManifest(policies: ["ratio"], gammas: "[2]"))
        let report = try trainedReport(twoTaskManifest(policies: ["ratio"], gammas: "[1, 2]"))
        #expect(report.groups.map(\.label) == ["ratio gamma=1", "ratio gamma=2", "single_task task=shape", "single_task task=size"])
    }

    /// The report's image links, in order: the lines of the Markdown that are one.
    func imageLinks(_ markdown: String) -> [String] {
        markdown.components(separatedBy: "\n").filter { $0.hasPrefix("![") }
    }

    func folder(_ path: String) throws -> Set<String> {
        Set(try FileManager.default.contentsOfDirectory(atPath: path))
    }

    @Test func writingLinksEveryFigureAndTheFolderHoldsExactlyThemAndWhatIsNotAFigure() throws {
        let report = try trainedReport(twoTaskManifest())
        scratch.write("out/two/kpi-old.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>")
        scratch.write("out/two/notes.txt", "kept")
        try report.write(to: "\(scratch.path)/out/two.md")

        let markdown = try String(contentsOfFile: "\(scratch.path)/out/two.md", encoding: .utf8)
        #expect(try imageLinks(markdown) == report.figures().map { "![\($0.title)](two/\($0.fileName))" })
        #expect(try folder("\(scratch.path)/out/two") == Set(report.figures().map(\.fileName) + ["notes.txt"]))
        for figure in report.figures() {
            #expect(try String(contentsOfFile: "\(scratch.path)/out/two/\(figure.fileName)", encoding: .utf8) == figure.svg)
        }
    }

    @Test func rewritingAfterAPolicyLeftThePlanRemovesItsFiguresAndLines() throws {
        try trainedReport(twoTaskManifest()).write(to: "\(scratch.path)/out/two.md")
        #expect(try folder("\(scratch.path)/out/two").contains("weights-dtp.svg"))

        // Nothing trains: the other runs are adopted, dtp's retired.
        let report = try trainedReport(twoTaskManifest(policies: ["equal", "ratio"]))
        try report.write(to: "\(scratch.path)/out/two.md")
        let markdown = try String(contentsOfFile: "\(scratch.path)/out/two.md", encoding: .utf8)
        #expect(try folder("\(scratch.path)/out/two") == Set(report.figures().map(\.fileName)))
        #expect(try !report.figures().map(\.fileName).contains("weights-dtp.svg"))
        #expect(try imageLinks(markdown) == report.figures().map { "![\($0.title)](two/\($0.fileName))" })
        #expect(try parsed("kpi-shape.svg", of: report).seriesNames == ["equal", "ratio gamma=1", "ratio gamma=2", "single_task task=shape"])
    }

    @Test func aReportNameWithASpaceLinksItsFiguresInAngleBrackets() throws {
        let report = try trainedReport(twoTaskManifest())
        try report.write(to: "\(scratch.path)/out/two runs.md")
        let markdown = try String(contentsOfFile: "\(scratch.path)/out/two runs.md", encoding: .utf8)
        // CommonMark ends a bare link destination at a space; in angle brackets it may hold one.
        #expect(try imageLinks(markdown) == report.figures().map { "![\($0.title)](<two runs/\($0.fileName)>)" })
        #expect(try folder("\(scratch.path)/out/two runs") == Set(report.figures().map(\.fileName)))
    }
}
