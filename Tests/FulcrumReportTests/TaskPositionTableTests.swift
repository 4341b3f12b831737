import Foundation
import FulcrumExperiment
import FulcrumReport
import FulcrumTestSupport
import Testing

@Suite("Task position table (Fig. 4)")
struct TaskPositionTableTests {
    let scratch = ScratchDirectory()

    /// Three tasks in all six orders, one run each: every task's KPI is 0.8 first, 0.6 second, 0.4
    /// third, plus 0.1 for task "a" when "b" comes right after it (so position 1 of "a" has two values).
    func runsInEveryOrder() throws -> (runs: [StoredRun], kpi: [String: [Double]]) {
        let manifestFile = scratch.write("m.yaml", """
            name: orders
            data: { dataset: synthetic, input_dim: 2, train_size: 8, val_size: 8 }
            tasks:
              - { name: a, type: binary }
              - { name: b, type: binary }
              - { name: c, type: binary }
            model: { architecture: task_hierarchy, trunk: [4, 4, 4] }
            train: { steps: 2, batch_size: 4, optimizer: sgd, lr: 0.1, eval_every: 1 }
            seeds: [1]
            sweep: { model.task_order: permutations }
            policies: { equal: { script: policies/equal.lua } }
            """)
        let manifest = try Manifest.load(manifestFile)
        let store = try RunStore(path: "\(scratch.path)/s.sqlite")
        try store.recordExperiment(manifest)
        let byPosition = [0.8, 0.6, 0.4]
        var kpi: [String: [Double]] = [:]
        let orders = [["a", "b", "c"], ["a", "c", "b"], ["b", "a", "c"], ["b", "c", "a"], ["c", "a", "b"], ["c", "b", "a"]]
        for (index, order) in orders.enumerated() {
            let id = "r\(index)"
            let json = "{\"model.task_order\":[" + order.map { "\"\($0)\"" }.joined(separator: ",") + "]}"
            var descriptor = RunDescriptor(id: id, experiment: "orders", manifestHash: manifest.hash, policy: "equal",
                                           policyFile: "policies/equal.lua", policyHash: "h", optionsJSON: "{}", seed: 1)
            descriptor.point = try SweepPoint(json: json)
            try store.beginRun(descriptor)
            kpi[id] = ["a", "b", "c"].map { name in
                let position = order.firstIndex(of: name)!
                let bonus = name == "a" && position + 1 < order.count && order[position + 1] == "b" ? 0.1 : 0
                return byPosition[position] + bonus
            }
        }
        return (try store.runs(of: try #require(try store.experiment(named: "orders"))), kpi)
    }

    @Test func ratiosAreAgainstTheMeanKPIAtPositionOne() throws {
        let (runs, kpi) = try runsInEveryOrder()
        let table = TaskPositionTable(runs: runs, taskNames: ["a", "b", "c"]) { kpi[$0.id] }
        // "a" first: a,b,c (0.9) and a,c,b (0.8), mean 0.85. Second: b,a,c (0.6) and c,a,b (0.7).
        // Third: b,c,a and c,b,a (0.4 each).
        let close = { (x: [Double], y: [Double]) in x.count == y.count && zip(x.sorted(), y).allSatisfy { abs($0 - $1) < 1e-12 } }
        let a = table.ratios[0]
        #expect(close(a[0], [0.8 / 0.85, 0.9 / 0.85]))
        #expect(close(a[1], [0.6 / 0.85, 0.7 / 0.85]))
        #expect(close(a[2], [0.4 / 0.85, 0.4 / 0.85]))
        // "b" has no bonus: 1, 0.75, 0.5 at each position, twice.
        for (position, ratio) in [1, 0.75, 0.5].enumerated() { #expect(close(table.ratios[1][position], [ratio, ratio])) }
        #expect(!table.isEmpty)
    }

    @Test func cellsGiveMedianQuartilesRangeAndCount() throws {
        let (runs, kpi) = try runsInEveryOrder()
        let lines = TaskPositionTable(runs: runs, taskNames: ["a", "b", "c"]) { kpi[$0.id] }.markdownLines
        #expect(lines[0] == "| task | position 1 | position 2 | position 3 |")
        // Two values: median = their mean, Q1/Q3 a quarter of the way in from each end (type 7).
        let (low, high) = (0.6 / 0.85, 0.7 / 0.85)
        let q1 = low + 0.25 * (high - low), q3 = low + 0.75 * (high - low)
        let cell = String(format: "%.3f [%.3f, %.3f] (%.3f–%.3f, n=2)", (low + high) / 2, q1, q3, low, high)
        #expect(lines[2].hasPrefix("| a | ") && lines[2].components(separatedBy: " | ")[2] == cell)
        #expect(lines[3] == "| b | 1.000 [1.000, 1.000] (1.000–1.000, n=2) | 0.750 [0.750, 0.750] (0.750–0.750, n=2) | 0.500 [0.500, 0.500] (0.500–0.500, n=2) |")
    }

    @Test func runsWithoutAnOrderAreLeftOut() throws {
        let (runs, kpi) = try runsInEveryOrder()
        let table = TaskPositionTable(runs: runs, taskNames: ["a", "b", "c"]) { _ in nil }
        #expect(table.isEmpty && !kpi.isEmpty)
    }
}

@Suite("Report notes")
struct ReportNotesTests {
    @Test func theNotesBlockIsFoundAndPutBeforeTheFirstSection() {
        let old = "# x\n\nintro\n\n<!-- fulcrum:notes -->\nIt did **not** reproduce.\n<!-- /fulcrum:notes -->\n\n## Table\n| old |\n"
        let notes = ReportNotes.extract(from: old)
        #expect(notes == "<!-- fulcrum:notes -->\nIt did **not** reproduce.\n<!-- /fulcrum:notes -->")
        let fresh = "# x\n\nintro\n\n## Table\n| new |\n"
        #expect(ReportNotes.insert(notes!, into: fresh) == "# x\n\nintro\n\n" + notes! + "\n\n## Table\n| new |\n")
        #expect(ReportNotes.extract(from: "<!-- fulcrum:notes --> unclosed") == nil)
    }
}
