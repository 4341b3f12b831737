import Foundation
import FulcrumTestSupport
import GRDB
import Testing

/// Several `fulcrum run` processes on one store, as a researcher with two terminals has them: they
/// share the sweep, each run trains once, and a holder killed with -9 leaves its run to the others.
@Suite("fulcrum run: processes sharing a store", .serialized)
struct SharedStoreCommandTests {
    static let manifest = """
        name: shared
        data: { dataset: synthetic, input_dim: 6, train_size: 256, val_size: 128 }
        tasks:
          - { name: coarse, type: classification, classes: 3 }
          - { name: flag, type: binary }
        model: { architecture: hard_sharing, trunk: [16] }
        train: { steps: 3000, batch_size: 32, optimizer: adam, lr: 0.01, eval_every: 1000 }
        seeds: [1, 2, 3, 4]
        policies:
          equal: { script: policies/equal.lua }
          dtp: { script: policies/dtp.lua }
          dwa: { script: policies/dwa.lua }
        report: { baseline: equal }
        """
    static let runs = 12

    /// A `fulcrum run` started in the background, its output going to a file.
    final class Started {
        let process = Process()
        let log: String

        init(in project: String, log name: String) throws {
            log = "\(project)/\(name)"
            FileManager.default.createFile(atPath: log, contents: nil)
            process.executableURL = URL(fileURLWithPath: fulcrumExecutable)
            process.arguments = ["run", "experiments/demo.yaml", "--jobs", "1"]
            process.currentDirectoryURL = URL(fileURLWithPath: project)
            process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            process.standardError = process.standardOutput
            try process.run()
        }

        var output: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

        /// The labels of the runs this process started ("equal seed 2").
        var started: [String] {
            output.split(separator: "\n").filter { $0.hasPrefix("start  ") }.map { line in
                String(line.dropFirst("start  ".count).prefix { $0 != "(" }.dropLast())
            }
        }

        func wait() -> Int32 {
            process.waitUntilExit()
            return process.terminationStatus
        }
    }

    /// Runs, step rows, SQLite's own check and the leases still held.
    func storeState(_ project: String) throws -> (finished: Int, steps: Int, integrity: String?, held: Int) {
        try DatabaseQueue(path: "\(project)/runs/fulcrum.sqlite").read { db in
            (try Int.fetchOne(db, sql: "SELECT count(*) FROM run WHERE status = 'finished'") ?? 0,
             try Int.fetchOne(db, sql: "SELECT count(*) FROM step") ?? 0,
             try String.fetchOne(db, sql: "PRAGMA integrity_check"),
             try Int.fetchOne(db, sql: "SELECT count(*) FROM run_lease WHERE released_at IS NULL") ?? 0)
        }
    }

    @Test(arguments: [2, 3])
    func processesStartedTogetherShareTheSweepAndTrainEachRunOnce(processes: Int) throws {
        let project = try projectFolder(manifest: Self.manifest)
        let started = try (0..<processes).map { try Started(in: project.path, log: "p\($0).log") }
        let statuses = started.map { $0.wait() }
        #expect(statuses.allSatisfy { $0 == 0 }, "outputs: \(started.map(\.output))")
        let trained = started.flatMap(\.started)
        #expect(trained.count == Self.runs && Set(trained).count == Self.runs, "started: \(trained)")
        #expect(started.allSatisfy { !$0.started.isEmpty }, "a process trained nothing: \(started.map(\.output))")
        #expect(started.allSatisfy { $0.output.contains("by other processes \(Self.runs - $0.started.count)") })
        let state = try storeState(project.path)
        #expect(state.finished == Self.runs && state.steps == Self.runs * 3000 * 2 && state.integrity == "ok" && state.held == 0)
    }

    @Test func theSweepBenchmarkTimesProcessesSharingAStore() throws {
        let project = try projectFolder(manifest: demoManifest)
        let bench = try fulcrum(["bench", "sweep", "experiments/demo.yaml", "--jobs", "2", "--json"], in: project.path)
        #expect(bench.status == 0, "stderr: \(bench.error)")
        let results = try bench.output.split(separator: "\n").map { line in
            try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
        }
        #expect(results.map { "\($0["processes"] ?? "") × \($0["jobs"] ?? ""): \($0["runs"] ?? "")" } == ["1 × 1: 6", "1 × 2: 6", "2 × 1: 6"])
    }

    @Test func aHolderKilledMidRunLeavesItsRunToTheOtherProcess() throws {
        let project = try projectFolder(manifest: Self.manifest)
        let victim = try Started(in: project.path, log: "victim.log")
        let survivor = try Started(in: project.path, log: "survivor.log")
        let deadline = Date().addingTimeInterval(60)
        while victim.started.isEmpty, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        Thread.sleep(forTimeInterval: 0.1)  // some steps into the run
        kill(victim.process.processIdentifier, SIGKILL)
        _ = victim.wait()
        let held = try #require(victim.started.last)

        #expect(survivor.wait() == 0, "output: \(survivor.output)")
        // The victim's run in flight was taken over and trained afresh.
        #expect(survivor.output.contains("take over \(held) from "), "victim: \(victim.output)\nsurvivor: \(survivor.output)")
        let state = try storeState(project.path)
        #expect(state.finished == Self.runs && state.steps == Self.runs * 3000 * 2 && state.integrity == "ok" && state.held == 0)
    }
}
