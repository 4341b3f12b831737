import Foundation
import FulcrumTestSupport
import GRDB
import Testing

/// A sweep with generations through the command line: kill -9 in the middle of generation 2, resume,
/// and the memory is what an uninterrupted sweep leaves; the memory file round trip of export, check
/// and replay.
@Suite("fulcrum run with generations", .serialized)
struct GenerationsCommandTests {
    static let manifest = """
        name: meta
        data: { dataset: synthetic, input_dim: 6, train_size: 256, val_size: 128 }
        tasks:
          - { name: coarse, type: classification, classes: 3 }
          - { name: flag, type: binary }
        model: { architecture: hard_sharing, trunk: [16] }
        train: { steps: 2000, batch_size: 32, optimizer: adam, lr: 0.01, eval_every: 500 }
        seeds: [1, 2]
        policies:
          equal: { script: policies/equal.lua }
          meta: { script: policies/meta_dtp.lua, generations: 3, options: { warmup: 10 } }
        report: { baseline: equal }
        """

    func memory(_ store: String) throws -> [String] {
        try DatabaseQueue(path: store).read { db in
            try String.fetchAll(db, sql: "SELECT generation || '/' || seed || ' ' || memory FROM run WHERE policy = 'meta' ORDER BY generation, seed")
        }
    }

    @Test func killNineDuringAGenerationThenResumeLeavesTheSameMemory() throws {
        let clean = try projectFolder(manifest: Self.manifest)
        let whole = try fulcrum(["run", "experiments/demo.yaml", "--jobs", "2"], in: clean.path)
        #expect(whole.status == 0, "stderr: \(whole.error)")
        let expected = try memory("\(clean.path)/runs/fulcrum.sqlite")
        #expect(expected.count == 6 && expected.map { String($0.prefix(3)) } == ["1/1", "1/2", "2/1", "2/2", "3/1", "3/2"])

        let killed = try projectFolder(manifest: Self.manifest)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: fulcrumExecutable)
        process.arguments = ["run", "experiments/demo.yaml", "--jobs", "2"]
        process.currentDirectoryURL = URL(fileURLWithPath: killed.path)
        let output = Pipe()
        process.standardOutput = output
        process.standardError = Pipe()
        try process.run()
        var text = ""
        let deadline = Date().addingTimeInterval(120)
        while !text.contains("start  meta generation 2"), process.isRunning, Date() < deadline {
            text += String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        }
        Thread.sleep(forTimeInterval: 0.3)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(text.contains("start  meta generation 2"), "output: \(text)")

        let resumed = try fulcrum(["run", "experiments/demo.yaml", "--jobs", "1"], in: killed.path)
        #expect(resumed.status == 0, "stderr: \(resumed.error)")
        #expect(try memory("\(killed.path)/runs/fulcrum.sqlite") == expected)

        // The records as a file, and a policy debugged offline on them.
        let export = try fulcrum(["export", "--memory", "memory.json", "--experiment", "meta", "--policy", "meta"], in: clean.path)
        #expect(export.output == "wrote memory.json (6 records)\n", "stderr: \(export.error)")
        let check = try fulcrum(["policy", "check", "policies/meta_dtp.lua", "--tasks", "2", "--steps", "3", "--memory", "memory.json"], in: clean.path)
        #expect(check.status == 0, "stderr: \(check.error)")
        #expect(check.output.contains("finish remembers: {\"diverged\":false,\"params\":{"))
        let run = try DatabaseQueue(path: "\(clean.path)/runs/fulcrum.sqlite").read { db in
            try String.fetchOne(db, sql: "SELECT id FROM run WHERE policy = 'meta' AND generation = 3 AND seed = 1")
        }
        let replay = try fulcrum(["policy", "replay", "policies/meta_dtp.lua", "--run", try #require(run), "--memory", "memory.json"], in: clean.path)
        #expect(replay.status == 0, "stderr: \(replay.error)")
        #expect(replay.output.contains("replayed 2000 steps"))
    }
}
