import Foundation
import FulcrumTestSupport
import Testing

/// The `fulcrum` executable, built beside this test bundle.
let fulcrumExecutable: String = {
    let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    return testBinary.deletingLastPathComponent().appendingPathComponent("fulcrum").path
}()

/// Runs `fulcrum arguments…` in `directory`; returns exit status, standard output and standard error.
func fulcrum(_ arguments: [String], in directory: String) throws -> (status: Int32, output: String, error: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: fulcrumExecutable)
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    let output = Pipe(), error = Pipe()
    process.standardOutput = output
    process.standardError = error
    try process.run()
    let outputData = output.fileHandleForReading.readDataToEndOfFile()
    let errorData = error.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: outputData, as: UTF8.self), String(decoding: errorData, as: UTF8.self))
}

/// A project folder as a researcher has it: the shipped policies and one manifest, run from its root.
func projectFolder(manifest: String) throws -> ScratchDirectory {
    let project = ScratchDirectory()
    try FileManager.default.copyItem(atPath: "\(repositoryRoot)/policies", toPath: "\(project.path)/policies")
    project.write("experiments/demo.yaml", manifest)
    return project
}

let demoManifest = """
    name: demo
    data: { dataset: synthetic, input_dim: 6, train_size: 256, val_size: 128 }
    tasks:
      - { name: coarse, type: classification, classes: 3 }
      - { name: fine, type: classification, classes: 6, noise: 0.2 }
      - { name: flag, type: binary }
    model: { architecture: hard_sharing, trunk: [16] }
    train: { steps: 60, batch_size: 32, optimizer: adam, lr: 0.01, eval_every: 30 }
    seeds: [1, 2]
    policies:
      equal: { script: policies/equal.lua }
      dtp: { script: policies/dtp.lua, options: { gamma: 2 } }
      dwa: { script: policies/dwa.lua }
    report: { baseline: equal, output: notebooks-md/demo.md }
    """

@Suite("fulcrum command line", .serialized)
struct CommandLineTests {
    @Test func runThenReportWritesTheComparisonTable() throws {
        let scratch = try projectFolder(manifest: demoManifest)
        let project = scratch.path

        let run = try fulcrum(["run", "experiments/demo.yaml"], in: project)
        #expect(run.status == 0, "stderr: \(run.error)")
        #expect(run.output.contains("demo: 6 runs (3 policies × 2 seeds) into runs/fulcrum.sqlite"))
        #expect(run.output.contains("finished 6, failed 0, diverged 0, interrupted 0, skipped 0"))
        #expect(FileManager.default.fileExists(atPath: "\(project)/runs/fulcrum.sqlite"))

        let plan = try fulcrum(["run", "experiments/demo.yaml", "--dry-run", "--only", "policy=dtp"], in: project)
        #expect(plan.status == 0, "stderr: \(plan.error)")
        #expect(plan.output.hasSuffix("2 runs selected of 6 (3 policies × 2 seeds), 0 to train\n"))
        #expect(plan.output.components(separatedBy: "\n").filter { $0.contains("  dtp seed ") && $0.hasSuffix("skip (finished)") }.count == 2)
        let resumed = try fulcrum(["run", "experiments/demo.yaml", "--jobs", "2"], in: project)
        #expect(resumed.output.contains("finished 0, failed 0, diverged 0, interrupted 0, skipped 6"))

        let report = try fulcrum(["report", "demo"], in: project)
        #expect(report.status == 0, "stderr: \(report.error)")
        #expect(report.output == "wrote notebooks-md/demo.md\n")
        let markdown = try String(contentsOfFile: "\(project)/notebooks-md/demo.md", encoding: .utf8)
        let lines = markdown.components(separatedBy: "\n")
        let table = try #require(lines.firstIndex(of: "## Comparison"))
        let rows = lines[table...].prefix { !$0.hasPrefix("### ") }.filter { $0.hasPrefix("| ") }
        #expect(rows.first == "| policy | coarse (accuracy) | fine (accuracy) | flag (accuracy) | Δm vs equal (%) | mean rank | seeds |")
        #expect(rows.dropFirst().map { $0.components(separatedBy: " | ").first } == ["| equal", "| dtp", "| dwa"])
        #expect(rows.dropFirst().allSatisfy { $0.hasSuffix(" 2/2 |") })
        #expect(markdown.contains("![coarse: validation accuracy over training](demo/kpi-coarse.svg)"))
        #expect(FileManager.default.fileExists(atPath: "\(project)/notebooks-md/demo/weights-dwa.svg"))

        // Elsewhere, the figures go beside the report, in a folder named after it.
        let custom = try fulcrum(["report", "demo", "-o", "elsewhere/r.md"], in: project)
        #expect(custom.status == 0)
        let moved = try String(contentsOfFile: "\(project)/elsewhere/r.md", encoding: .utf8)
        #expect(moved == markdown.replacingOccurrences(of: "](demo/", with: "](r/"))
        #expect(FileManager.default.fileExists(atPath: "\(project)/elsewhere/r/kpi-coarse.svg"))
    }

    @Test func quickTrainsASmallSeparateExperimentWhoseReportGoesToStandardOutput() throws {
        let manifest = demoManifest.replacingOccurrences(
            of: "  dwa: { script: policies/dwa.lua }",
            with: "  focal: { script: policies/equal.lua, overrides: { tasks.coarse.gamma0: 1, train.eval_every: 10 } }")
            + "\nsweep:\n  train.lr: [0.01, 0.003, 0.001]\n"
        let scratch = try projectFolder(manifest: manifest)
        let project = scratch.path

        let plan = try fulcrum(["run", "experiments/demo.yaml", "--dry-run", "--quick"], in: project)
        #expect(plan.status == 0, "stderr: \(plan.error)")
        #expect(plan.output.hasPrefix("focal overrides: tasks.coarse.gamma0=1 train.eval_every=10\n"))
        #expect(plan.output.hasSuffix("6 runs selected of 6 (3 policies × 2 definitions × 1 seed), 6 to train\n"))

        let run = try fulcrum(["run", "experiments/demo.yaml", "--quick"], in: project)
        #expect(run.status == 0, "stderr: \(run.error)")
        #expect(run.output.contains("demo-quick: 6 runs (3 policies × 2 definitions × 1 seed) into runs/fulcrum.sqlite"))
        #expect(run.output.contains("finished 6, failed 0, diverged 0, interrupted 0, skipped 0"))
        let runs = try fulcrum(["runs", "--experiment", "demo-quick"], in: project)
        #expect(runs.output.components(separatedBy: "\n").filter { $0.contains(" demo-quick ") && $0.contains(" finished  20/20 ") }.count == 6)
        #expect(runs.output.hasSuffix("6 runs: 6 finished\n"))

        let report = try fulcrum(["report", "demo-quick"], in: project)
        #expect(report.status == 0, "stderr: \(report.error)")
        #expect(report.output.contains("| focal train.lr=0.003 |"))
        #expect(!FileManager.default.fileExists(atPath: "\(project)/notebooks-md/demo.md"))
    }

    @Test func badManifestIsRejectedBeforeAnythingIsWritten() throws {
        let scratch = try projectFolder(manifest: demoManifest.replacingOccurrences(of: "steps: 60", with: "steps: sixty"))
        let project = scratch.path
        let run = try fulcrum(["run", "experiments/demo.yaml"], in: project)
        #expect(run.status == 1)
        #expect(run.error.contains("experiments/demo.yaml:8: train.steps: expected an integer ≥ 1, got 'sixty'"))
        #expect(!FileManager.default.fileExists(atPath: "\(project)/runs"))
    }

    @Test func failingPolicyFailsItsRunsAndTheExitCodeSaysSo() throws {
        let scratch = try projectFolder(manifest: demoManifest)
        let project = scratch.path
        _ = scratch.write("policies/dwa.lua", "return {")
        let run = try fulcrum(["run", "experiments/demo.yaml"], in: project)
        #expect(run.status == 2)
        #expect(run.output.contains("finished 4, failed 2, diverged 0, interrupted 0, skipped 0"))
        #expect(run.output.contains(": policy policies/dwa.lua load: policies/dwa.lua:1: unexpected symbol near <eof>"))
        #expect(run.output.components(separatedBy: "\n").filter { $0.contains("FAILED dwa seed") }.count == 2)
        let report = try fulcrum(["report", "demo", "-o", "r.md"], in: project)
        #expect(report.status == 0)
        let markdown = try String(contentsOfFile: "\(project)/r.md", encoding: .utf8)
        #expect(markdown.contains("| dwa | — | — | — | — | — | 0/2 |"))
        #expect(markdown.contains("## Runs that did not finish"))
    }

    @Test func policyCheckAndReplayFromTheCommandLine() throws {
        let scratch = try projectFolder(manifest: demoManifest)
        let project = scratch.path
        let check = try fulcrum(["policy", "check", "policies/dtp.lua", "--tasks", "2", "--steps", "3", "--option", "gamma=2"], in: project)
        #expect(check.status == 0)
        #expect(check.output.hasPrefix(" step        w1        w2\n    1 "))
        #expect(check.output.hasSuffix("policies/dtp.lua: 3 steps on 2 tasks, every answer valid weights (finite; ≥ 0 but for shared coefficients)\n"))

        let run = try fulcrum(["run", "experiments/demo.yaml"], in: project)
        let id = try #require(run.output.split(separator: "\n").first { $0.contains("dtp seed 1 (run ") }
            .flatMap { $0.split(separator: "(run ").last?.split(separator: ")").first }.map(String.init))
        let replay = try fulcrum(["policy", "replay", "policies/dtp.lua", "--run", id, "--option", "gamma=2"], in: project)
        #expect(replay.status == 0, "stderr: \(replay.error)")
        #expect(replay.output.hasSuffix("replayed 60 steps; largest |replayed − applied| weight difference: 0.0\n"))

        let new = try fulcrum(["policy", "new", "mine"], in: project)
        #expect(new.output == "wrote policies/mine.lua; check it with: fulcrum policy check policies/mine.lua\n")
        #expect(try fulcrum(["policy", "check", "policies/mine.lua"], in: project).status == 0)
    }

    @Test func reportOfAnUnknownExperimentSaysWhichExist() throws {
        let scratch = try projectFolder(manifest: demoManifest)
        let project = scratch.path
        let report = try fulcrum(["report", "nothing"], in: project)
        #expect(report.status == 1)
        #expect(report.error.contains("no run store at runs/fulcrum.sqlite: run a manifest first (fulcrum run experiments/NAME.yaml)"))
    }
}
