import Foundation
import FulcrumTestSupport
import Testing

@Suite("fulcrum notebook")
struct NotebookCommandTests {
    let notebook = """
        # Equal weights against mine

        ```lua policy=mine
        return { name = "mine", weights = function(self, s) return { 1, 1, 2 } end }
        ```

        ```fulcrum
        run experiments/demo.yaml --quick --as nb --policies equal,mine
        ```

        ```fulcrum
        report nb-quick --table
        ```

        """

    @Test func aNotebookRunsOnceAndThenIsUpToDate() throws {
        let scratch = try projectFolder(manifest: demoManifest)
        let project = scratch.path
        scratch.write("notebooks-md/nb.md", notebook)

        let first = try fulcrum(["notebook", "notebooks-md/nb.md", "--store", "runs/nb.sqlite"], in: project)
        #expect(first.status == 0, "stderr: \(first.error)")
        #expect(first.output.components(separatedBy: "\n").filter { $0.hasPrefix("block ") } == ["block 1 (line 7): ran", "block 2 (line 17): ran"])
        let text = try String(contentsOfFile: "\(project)/notebooks-md/nb.md", encoding: .utf8)
        #expect(text.contains("```text\nnb-quick: 2 runs (2 policies × 1 seed), 2 finished\n```"))
        #expect(text.contains("| policy | coarse (accuracy) | fine (accuracy) | flag (accuracy) | Δm vs equal (%) | mean rank | seeds |"))
        #expect(FileManager.default.fileExists(atPath: "\(project)/notebooks-md/nb/policies/mine.lua"))

        let second = try fulcrum(["notebook", "notebooks-md/nb.md", "--store", "runs/nb.sqlite"], in: project)
        #expect(second.status == 0, "stderr: \(second.error)")
        #expect(second.output == "block 1 (line 7): up to date\nblock 2 (line 17): up to date\n")
        #expect(try String(contentsOfFile: "\(project)/notebooks-md/nb.md", encoding: .utf8) == text)
        let runs = try fulcrum(["runs", "--store", "runs/nb.sqlite"], in: project)
        #expect(runs.output.hasSuffix("2 runs: 2 finished\n"))
    }

    @Test func aFailingBlockExitsNonZeroNamingTheFileAndLine() throws {
        let scratch = try projectFolder(manifest: demoManifest)
        scratch.write("notebooks-md/nb.md", notebook.replacingOccurrences(of: "report nb-quick --table", with: "report nb-quick --tabel"))
        let result = try fulcrum(["notebook", "notebooks-md/nb.md", "--store", "runs/nb.sqlite"], in: scratch.path)
        #expect(result.status == 1)
        #expect(result.output.hasSuffix("block 2 (line 17): failed\n"))
        #expect(result.error.contains("notebooks-md/nb.md:18: report: Unknown option '--tabel'. Did you mean '--table'? Usage: report EXPERIMENT [--table | --figures KIND,…]"))
    }

    @Test func runTakesTheSameVariantOptions() throws {
        let scratch = try projectFolder(manifest: demoManifest)
        let plan = try fulcrum(["run", "experiments/demo.yaml", "--as", "two", "--policies", "dtp,equal", "--dry-run"], in: scratch.path)
        #expect(plan.status == 0, "stderr: \(plan.error)")
        #expect(plan.output.hasSuffix("4 runs selected of 4 (2 policies × 2 seeds), 4 to train\n"))
        let refused = try fulcrum(["run", "experiments/demo.yaml", "--policies", "dtp", "--dry-run"], in: scratch.path)
        #expect(refused.status == 64 && refused.error.contains("--policies needs --as NAME: a manifest with other policies or another baseline is an experiment of its own"))
    }
}
