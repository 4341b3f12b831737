import Foundation
import FulcrumCore
import FulcrumExperiment
import FulcrumLua
import FulcrumTestSupport
import GRDB
import Testing

/// `memory = true` policies and `generations`: what each generation sees, the ids, and that the
/// numbers do not depend on --jobs, on kill-and-resume or on sharding and merging.
@Suite("Policy memory and generations")
struct GenerationsTests {
    let scratch = ScratchDirectory()

    /// Remembers its mean validation KPI; generation g trains with weights 1 + 0.1 · (records seen),
    /// so later generations train differently, and it remembers the sum of the scores it saw.
    static let rememberingPolicy = """
        local P = { name = "remember", memory = true, defaults = { scale = 1.0 } }
        function P:init(ctx)
          self.seen = #ctx.memory
          self.earlier = 0
          for _, record in ipairs(ctx.memory) do self.earlier = self.earlier + record.value.score end
        end
        function P:weights(s)
          local w = {}
          for t = 1, #s.loss do w[t] = self.scale * (1 + 0.1 * self.seen) end
          return w
        end
        function P:finish(ctx, result)
          local total = 0
          for t = 1, #result.val_kpi do total = total + result.val_kpi[t] end
          return { score = total / #result.val_kpi, seen = self.seen, generation = ctx.generation,
                   steps = result.steps, diverged = result.diverged, earlier = self.earlier }
        end
        return P
        """

    func manifest(generations: Int = 3, seeds: String = "[1, 2]", extra: String = "") throws -> Manifest {
        let policy = scratch.write("remember.lua", Self.rememberingPolicy)
        return try Manifest.load(scratch.write("m.yaml", tinyManifest(steps: 12, seeds: seeds, policies: """
              remember: { script: \(policy), generations: \(generations) }
              equal: { script: \(repositoryRoot)/policies/equal.lua }
            """) + extra))
    }

    func records(_ store: RunStore) throws -> [MemoryRecord] { try store.memoryRecords(of: "tiny") }

    @Test func eachGenerationSeesTheRecordsOfTheOnesBefore() throws {
        let store = try RunStore(path: "\(scratch.path)/s.sqlite")
        let outcomes = try ExperimentRunner(manifest: try manifest(), store: store).run(RunSelection(jobs: 2))
        #expect(outcomes.count == 8 && outcomes.allSatisfy { $0.status == .finished })
        #expect(outcomes.filter { $0.run.policy.name == "remember" }.map(\.run.label)
                    == ["remember generation 1 seed 1", "remember generation 1 seed 2", "remember generation 2 seed 1",
                        "remember generation 2 seed 2", "remember generation 3 seed 1", "remember generation 3 seed 2"])
        let remembered = try records(store)
        #expect(remembered.map(\.generation) == [1, 1, 2, 2, 3, 3] && remembered.map(\.seed) == [1, 2, 1, 2, 1, 2])
        #expect(remembered.map { $0.value["seen"]?.number } == [0, 0, 2, 2, 4, 4])
        #expect(remembered.map { $0.value["generation"]?.number } == [1, 1, 2, 2, 3, 3])
        #expect(remembered.allSatisfy { $0.value["steps"]?.number == 12 && $0.value["diverged"] == .boolean(false) })
        // What generation 3 summed from ctx.memory is the four scores the store holds for 1 and 2.
        let earlier = remembered.prefix(4).compactMap { $0.value["score"]?.number }.reduce(0, +)
        #expect(remembered.suffix(2).allSatisfy { abs(($0.value["earlier"]?.number ?? 0) - earlier) < 1e-12 })
        // The score is the mean of the final validation KPIs the store holds.
        for record in remembered {
            let final = try store.evaluations(ofRun: record.run).max { $0.step < $1.step }
            let mean = (final?.kpi.reduce(0, +) ?? .nan) / Double(final?.kpi.count ?? 1)
            #expect(abs((record.value["score"]?.number ?? .nan) - mean) < 1e-12)
        }
        #expect(Set(outcomes.map(\.run.id)).count == 8)
        let generations = try store.database(reading: "SELECT generation FROM run WHERE policy = 'remember' ORDER BY generation")
        #expect(generations == ["1", "1", "2", "2", "3", "3"])
    }

    @Test func theSameNumbersWithAnyJobsAfterResumeAndAcrossShards() throws {
        let manifest = try manifest()
        let one = try RunStore(path: "\(scratch.path)/one.sqlite")
        try ExperimentRunner(manifest: manifest, store: one).run(RunSelection(jobs: 1))
        let expected = try records(one)

        let two = try RunStore(path: "\(scratch.path)/two.sqlite")
        try ExperimentRunner(manifest: manifest, store: two).run(RunSelection(jobs: 2))
        #expect(try records(two) == expected)

        // A kill during generation 2: one of its runs never ended, generation 3 never started.
        try two.database(writing: "DELETE FROM run WHERE generation = 3")
        try two.database(writing: "UPDATE run SET status = 'running', memory = NULL WHERE generation = 2 AND seed = 2")
        let resumed = try ExperimentRunner(manifest: manifest, store: two).run(RunSelection(jobs: 2))
        #expect(resumed.filter { !$0.skipped }.map(\.run.label).sorted()
                    == ["remember generation 2 seed 2", "remember generation 3 seed 1", "remember generation 3 seed 2"])
        #expect(try records(two) == expected)

        // Shards hold whole chains: each trains its slice into its own store, merged afterwards.
        let merged = try RunStore(path: "\(scratch.path)/merged.sqlite")
        for index in 1...2 {
            let path = "\(scratch.path)/shard-\(index).sqlite"
            try ExperimentRunner(manifest: manifest, store: try RunStore(path: path)).run(RunSelection(jobs: 2, shard: .init(index: index, count: 2)))
            try merged.merge(from: path)
        }
        #expect(try records(merged) == expected)
        #expect(try ExperimentRunner(manifest: manifest, store: merged).run().allSatisfy(\.skipped))
    }

    @Test func aRunsIdCoversTheMemoryItSaw() throws {
        let manifest = try manifest(generations: 2, seeds: "[1]")
        let store = try RunStore(path: "\(scratch.path)/s.sqlite")
        let before = ExperimentRunner(manifest: manifest, store: store).plannedRuns
        #expect(before.map(\.label) == ["remember generation 1 seed 1", "equal seed 1"])   // generation 2 needs generation 1's memory
        try ExperimentRunner(manifest: manifest, store: store).run()
        let first = try records(store)
        try store.database(writing: "UPDATE run SET memory = '{\"score\":0.5}' WHERE generation = 1")
        let planned = ExperimentRunner(manifest: manifest, store: store).plannedRuns.filter { $0.generation == 2 }
        #expect(planned.count == 1 && planned[0].memory.records.map(\.value) == [.object(["score": .number(0.5)])])
        #expect(planned[0].id != first.last?.run)
    }

    @Test func runsAndExportShowTheMemory() throws {
        let store = try RunStore(path: "\(scratch.path)/s.sqlite")
        try ExperimentRunner(manifest: try manifest(generations: 2, seeds: "[1]"), store: store).run()
        let listed = try store.listRuns(RunFilter(policy: "remember"))
        let table = RunListing.table(listed)
        #expect(table.split(separator: "\n")[0].hasSuffix("error  generation  memory"))
        #expect(table.contains(#"{"diverged":false,"earlier":0,"generation":1,"#))
        let line = try #require(try JSONSerialization.jsonObject(with: Data(RunListing.jsonLine(listed[1]).utf8)) as? [String: Any])
        #expect(line["generation"] as? Int == 2)
        #expect((line["memory"] as? [String: Any])?["seen"] as? Int == 1)
        // The memory file policy check and replay read: the records, in order.
        let file = "\(scratch.path)/memory.json"
        #expect(try store.exportMemory(of: "tiny", policy: "remember", to: file) == 2)
        #expect(try PolicyMemory.load(file: file).records == records(store))
        #expect(try PolicyMemory.load(file: file).generation == 3)
        #expect(throws: StoreToolError("no experiment 'tinny' in the store; known: tiny")) { try store.exportMemory(of: "tinny", to: file) }
    }

    @Test func generationsNeedAPolicyThatRemembers() throws {
        let file = scratch.write("m.yaml", tinyManifest(policies: "  equal: { script: \(repositoryRoot)/policies/equal.lua, generations: 2 }"))
        let error = try #require(throws: ManifestError.self) { try Manifest.load(file) }
        #expect(error.problems.map { "\($0.keyPath): \($0.message)" } == [
            "policies.equal.generations: generations need a policy that remembers: \(repositoryRoot)/policies/equal.lua does not declare memory = true (with a P:finish that returns what to remember)",
        ])
    }
}

extension RunStore {
    /// Test access to the store's SQL (the tests play a killed process by editing rows).
    func database(writing sql: String) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.write { try $0.execute(sql: sql) }
        try queue.close()
    }

    func database(reading sql: String) throws -> [String] {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        return try queue.read { db in try Row.fetchAll(db, sql: sql).map { row in row[0].map { "\($0)" } ?? "NULL" } }
    }
}

/// The combinators, from a manifest alone: no new policy file.
@Suite("Combinators from a manifest")
struct CombinatorManifestTests {
    let scratch = ScratchDirectory()

    @Test func stackAndEmaTrainFromTheirOptionsAndTheirIdsCoverTheInnerFiles() throws {
        let manifest = try Manifest.load(scratch.write("m.yaml", tinyManifest(steps: 8, seeds: "[1]", policies: """
              stacked: { script: \(repositoryRoot)/policies/stack.lua, options: { loss_policy: uncertainty, gradient_policy: mgda } }
              smoothed: { script: \(repositoryRoot)/policies/ema.lua, options: { policy: dwa, beta: 0.5 } }
            """)))
        let store = try RunStore(path: "\(scratch.path)/s.sqlite")
        let outcomes = try ExperimentRunner(manifest: manifest, store: store).run()
        #expect(outcomes.map(\.status) == [.finished, .finished])
        let runs = try store.listRuns(RunFilter(experiment: "tiny")).map(\.run)
        #expect(runs.first { $0.policy == "stacked" }?.options.contains(#""gradient_policy":"mgda""#) == true)
        let stacked = try #require(outcomes.first { $0.run.policy.name == "stacked" })
        #expect(stacked.run.policyHash != manifest.policies[0].scriptHash)   // covers uncertainty.lua and mgda.lua
    }
}
