import Foundation
import FulcrumCore
import FulcrumExperiment
import FulcrumLua
import FulcrumTestSupport
import Testing

@Suite("Experiment runner and store")
struct RunnerTests {
    let scratch = ScratchDirectory()

    /// A manifest with one good policy and three broken ones.
    func brokenPoliciesManifest() -> String {
        let syntax = scratch.write("syntax.lua", "local P = { name = 'syntax' }\nfunction P:weights(s)\n  return { 1, 1\nend\nreturn P\n")
        let runtime = scratch.write("runtime.lua", "local P = { name = 'runtime' }\nfunction P:weights(s)\n  if s.step == 5 then return s.kpi end\n  return { 1, 1 }\nend\nreturn P\n")
        let count = scratch.write("count.lua", "local P = { name = 'count' }\nfunction P:weights(s)\n  return { 1 }\nend\nreturn P\n")
        return tinyManifest(policies: """
              equal: { script: \(repositoryRoot)/policies/equal.lua }
              syntax: { script: \(syntax) }
              runtime: { script: \(runtime) }
              count: { script: \(count) }
            """)
    }

    @Test func brokenPoliciesFailTheirOwnRunsAndTheOthersFinish() throws {
        let manifest = try Manifest.load(scratch.write("m.yaml", brokenPoliciesManifest()))
        let store = try RunStore(path: "\(scratch.path)/store.sqlite")
        let outcomes = try ExperimentRunner(manifest: manifest, store: store).run()
        #expect(outcomes.count == 8)

        let errors = Dictionary(grouping: outcomes, by: \.run.policy.name).mapValues { $0.map(\.error) }
        #expect(errors["equal"] == [nil, nil])
        let p = scratch.path
        #expect(errors["syntax"] == Array(repeating: "policy \(p)/syntax.lua load: \(p)/syntax.lua:4: '}' expected (to close '{' at line 3) near 'end'", count: 2))
        #expect(errors["runtime"] == Array(repeating: "policy runtime step 5: \(p)/runtime.lua:2: weights returned a nil, expected an array of 2 numbers (one per task)", count: 2))
        #expect(errors["count"] == Array(repeating: "policy count step 1: \(p)/count.lua:2: weights has 1 entries, expected 2 (one per task): {1.0}", count: 2))

        let experiment = try #require(try store.experiment(named: "tiny"))
        let runs = try store.runs(of: experiment)
        #expect(runs.count == 8)
        for run in runs {
            #expect(run.status == (run.policy == "equal" ? .finished : .failed))
            #expect((run.error == nil) == (run.policy == "equal"))
        }
        // A failed run keeps what it wrote before failing: the runtime policy failed at step 5.
        let runtimeRun = try #require(runs.first { $0.policy == "runtime" })
        #expect(runtimeRun.stepsDone == 4)
        #expect(try store.stepSeries(ofRun: runtimeRun.id).count == 4 * 2)
        let equalRun = try #require(runs.first { $0.policy == "equal" })
        #expect(try store.evaluations(ofRun: equalRun.id).map(\.step) == [0, 20, 40])
        #expect(try store.stepSeries(ofRun: equalRun.id).count == 40 * 2)
    }

    @Test func rerunSkipsFinishedRunsAndForceRetrainsThemToTheSameNumbers() throws {
        let manifest = try Manifest.load(scratch.write("m.yaml", tinyManifest(
            seeds: "[3]", policies: "  equal: { script: \(repositoryRoot)/policies/equal.lua }")))
        let store = try RunStore(path: "\(scratch.path)/store.sqlite")
        try ExperimentRunner(manifest: manifest, store: store).run()
        let experiment = try #require(try store.experiment(named: "tiny"))
        let first = try store.runs(of: experiment)
        let firstSeries = try store.stepSeries(ofRun: first[0].id).map(\.loss)

        let again = try ExperimentRunner(manifest: manifest, store: store).run()
        #expect(again.map(\.skipped) == [true] && again[0].error == nil)
        #expect(try store.runs(of: experiment) == first, "a skipped run is left as it was")

        let forced = try ExperimentRunner(manifest: manifest, store: store).run(RunSelection(force: true))
        #expect(forced.map(\.skipped) == [false])
        let second = try store.runs(of: experiment)
        #expect(second.map(\.id) == first.map(\.id))
        #expect(try store.stepSeries(ofRun: second[0].id).map(\.loss) == firstSeries, "same manifest and seed, same numbers")
    }

    @Test func aRunLeftRunningByAKillIsTrainedAgainAndTheFinishedOnesAreKept() throws {
        let manifest = try Manifest.load(scratch.write("m.yaml", tinyManifest(
            seeds: "[1, 2]", policies: "  equal: { script: \(repositoryRoot)/policies/equal.lua }")))
        let store = try RunStore(path: "\(scratch.path)/store.sqlite")
        let runner = ExperimentRunner(manifest: manifest, store: store)
        try runner.run()
        let experiment = try #require(try store.experiment(named: "tiny"))
        let complete = try store.runs(of: experiment)
        let killed = runner.plannedRuns[1]
        let series = try store.stepSeries(ofRun: killed.id).map(\.loss)
        // What kill -9 leaves: the run's row says running (beginRun starts it afresh, as a new process would).
        try store.beginRun(RunDescriptor(id: killed.id, experiment: "tiny", manifestHash: manifest.hash, policy: "equal",
                                         policyFile: killed.policy.script, policyHash: "", optionsJSON: "{}", seed: killed.seed))
        #expect(try store.statuses(ofRuns: [killed.id]) == [killed.id: .running])

        let outcomes = try ExperimentRunner(manifest: manifest, store: store).run()
        #expect(outcomes.map(\.skipped) == [true, false])
        let runs = try store.runs(of: experiment)
        #expect(runs.count == 2 && runs.allSatisfy { $0.status == .finished })
        #expect(runs.map(\.id) == complete.map(\.id))
        #expect(try store.stepSeries(ofRun: killed.id).map(\.loss) == series, "retrained once, not duplicated")
    }

    @Test func twoJobsWriteTheSameStoreAsOne() throws {
        let policies = """
              equal: { script: \(repositoryRoot)/policies/equal.lua }
              dtp: { script: \(repositoryRoot)/policies/dtp.lua }
              broken: { script: \(scratch.write("broken.lua", "return 42"))}
            """
        let manifest = try Manifest.load(scratch.write("m.yaml", tinyManifest(seeds: "[1, 2, 3]", policies: policies)))
        let one = try RunStore(path: "\(scratch.path)/one.sqlite")
        let two = try RunStore(path: "\(scratch.path)/two.sqlite")
        let serial = try ExperimentRunner(manifest: manifest, store: one).run(RunSelection(jobs: 1))
        let parallel = try ExperimentRunner(manifest: manifest, store: two).run(RunSelection(jobs: 2))
        #expect(serial == parallel, "same outcomes, in plan order")
        #expect(parallel.filter { $0.error != nil }.map(\.run.policy.name) == ["broken", "broken", "broken"])
        let runsOne = try one.runs(of: try #require(try one.experiment(named: "tiny")))
        let runsTwo = try two.runs(of: try #require(try two.experiment(named: "tiny")))
        #expect(runsOne.map(\.id) == runsTwo.map(\.id) && runsTwo.count == 9)
        for run in runsOne {
            func rows(_ store: RunStore) throws -> [[Double]] {
                try store.stepSeries(ofRun: run.id).map { [Double($0.step), Double($0.task), $0.loss, $0.kpi, $0.weight] }
            }
            #expect(try rows(one) == rows(two), "run \(run.policy) seed \(run.seed)")
            #expect(try one.evaluations(ofRun: run.id) == two.evaluations(ofRun: run.id))
        }
    }

    @Test func editingAPolicyFileRetrainsItsRunsAndTheOldOnesLeaveTheReport() throws {
        let script = scratch.write("mine.lua", "local P = { name = \"mine\" }\nfunction P:weights(s) return { 1, 1 } end\nreturn P\n")
        let file = scratch.write("m.yaml", tinyManifest(seeds: "[1]", policies: "  mine: { script: \(script) }"))
        let store = try RunStore(path: "\(scratch.path)/s.sqlite")
        try ExperimentRunner(manifest: try Manifest.load(file), store: store).run()
        scratch.write("mine.lua", "local P = { name = \"mine\" }\nfunction P:weights(s) return { 2, 1 } end\nreturn P\n")
        // A manifest holds its policy files' hashes as they were when it was read: read it again.
        let outcomes = try ExperimentRunner(manifest: try Manifest.load(file), store: store).run()
        #expect(outcomes.map(\.skipped) == [false], "the policy changed: a new run")
        let runs = try store.runs(of: try #require(try store.experiment(named: "tiny")))
        #expect(runs.count == 1 && runs[0].id == outcomes[0].run.id)
    }

    @Test func onlyFiltersByPolicyAndSeed() throws {
        let manifest = try Manifest.load(scratch.write("m.yaml", tinyManifest(seeds: "[1, 2, 3]", policies: """
              equal: { script: \(repositoryRoot)/policies/equal.lua }
              dtp: { script: \(repositoryRoot)/policies/dtp.lua }
            """)))
        let runner = ExperimentRunner(manifest: manifest, store: try RunStore(path: "\(scratch.path)/s.sqlite"))
        let filters = try RunSelection.parseFilters("policy=dtp,seed=1,seed=3")
        #expect(runner.plannedRuns(RunSelection(filters: filters)).map { "\($0.policy.name)/\($0.seed)" } == ["dtp/1", "dtp/3"])
        #expect(throws: RunSelection.SelectionError(message: "--only: unknown key 'polcy'; valid keys: policy, seed")) {
            try RunSelection.parseFilters("polcy=dtp")
        }
        #expect(throws: RunSelection.SelectionError(message: "--only: 'seed' is not key=value, e.g. policy=dtp,seed=1")) {
            try RunSelection.parseFilters("seed")
        }
    }

    @Test func addingASeedOrAPolicyKeepsTheIdsOfTheRunsAlreadyDefined() throws {
        let equal = "  equal: { script: \(repositoryRoot)/policies/equal.lua }"
        let store = try RunStore(path: "\(scratch.path)/s.sqlite")
        let before = ExperimentRunner(manifest: try Manifest.load(scratch.write("a.yaml", tinyManifest(seeds: "[1]", policies: equal))),
                                      store: store).plannedRuns.map(\.id)
        let after = ExperimentRunner(manifest: try Manifest.load(scratch.write("b.yaml", tinyManifest(seeds: "[1, 2]", policies: equal + """

              dtp: { script: \(repositoryRoot)/policies/dtp.lua }
            """))), store: store).plannedRuns.map(\.id)
        #expect(after.count == 4 && after[0] == before[0])
        let longer = ExperimentRunner(manifest: try Manifest.load(scratch.write("c.yaml", tinyManifest(steps: 60, seeds: "[1]", policies: equal))),
                                      store: store).plannedRuns.map(\.id)
        #expect(longer[0] != before[0], "training longer is another run")
    }

    @Test func runIdsAreStableAndDistinct() throws {
        let manifest = try Manifest.load(scratch.write("m.yaml", tinyManifest(policies: """
              equal: { script: \(repositoryRoot)/policies/equal.lua }
              dtp: { script: \(repositoryRoot)/policies/dtp.lua }
            """)))
        let store = try RunStore(path: "\(scratch.path)/store.sqlite")
        let ids = ExperimentRunner(manifest: manifest, store: store).plannedRuns.map(\.id)
        #expect(Set(ids).count == 4)
        #expect(ExperimentRunner(manifest: manifest, store: store).plannedRuns.map(\.id) == ids)
    }

    @Test func sha256MatchesTheStandardVectors() {
        #expect(SHA256.hexDigest("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hexDigest("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hexDigest(String(repeating: "a", count: 1000)) == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }
}

@Suite("Policy output and libraries in a run")
struct PolicyOutputRunTests {
    let scratch = ScratchDirectory()

    @Test func logsAndPrintsReachTheStoreAndLibrariesLoadFromPoliciesLib() throws {
        scratch.write("policies/lib/scale.lua", """
            local M = {}
            function M.double(x) return 2 * x end
            return M
            """)
        let policy = scratch.write("policies/logging.lua", """
            local scale = require("scale")
            local P = { name = "logging" }
            function P:init(ctx) print("starting", #ctx.tasks) end
            function P:weights(s)
              log("first_loss", s.loss[1])
              if s.step == 2 then print("step two") end
              return { scale.double(0.5), 1 }
            end
            return P
            """)
        let manifest = try Manifest.load(scratch.write("m.yaml", tinyManifest(steps: 3, seeds: "[1]", policies: "  logging: { script: \(policy) }")))
        let store = try RunStore(path: "\(scratch.path)/store.sqlite")
        let outcome = try #require(try ExperimentRunner(manifest: manifest, store: store).run().first)
        #expect(outcome.error == nil)
        let logs = try store.policyLogs(ofRun: outcome.run.id)
        #expect(logs.map(\.step) == [1, 2, 3] && logs.allSatisfy { $0.name == "first_loss" && $0.value > 0 })
        let series = try store.stepSeries(ofRun: outcome.run.id).filter { $0.task == 0 }
        #expect(logs.map(\.value) == series.map(\.loss))
        #expect(try store.printedLines(ofRun: outcome.run.id).map { "\($0.step): \($0.line)" } == ["1: starting\t2", "2: step two"])
        #expect(series.allSatisfy { $0.weight == 1 })
    }

    @Test(arguments: [
        ("require('../secrets')", "require: '../secrets' is not a module name like 'simplex' or 'solvers.minnorm'"),
        ("require('absent')", "require 'absent': no file POLICIES/lib/absent.lua"),
        ("log('x', 0/0)", "log(name, value) needs a string name and a finite number"),
    ])
    func badRequiresAndLogsFailTheRunClearly(call: String, message: String) throws {
        let policy = scratch.write("policies/bad.lua", "local P = { name = 'bad' }\nfunction P:weights(s)\n  \(call)\n  return { 1, 1 }\nend\nreturn P\n")
        let manifest = try Manifest.load(scratch.write("m.yaml", tinyManifest(steps: 2, seeds: "[1]", policies: "  bad: { script: \(policy) }")))
        let store = try RunStore(path: "\(scratch.path)/store.sqlite")
        let outcome = try #require(try ExperimentRunner(manifest: manifest, store: store).run().first)
        let expected = message.replacingOccurrences(of: "POLICIES", with: "\(scratch.path)/policies")
        #expect(outcome.error == "policy bad step 1: \(policy):3: \(expected)")
    }
}

@Suite("Policy limits from the manifest")
struct PolicyLimitTests {
    let scratch = ScratchDirectory()

    @Test func aLoopingPolicyFailsItsRunAtTheManifestsTimeLimitAndTheOthersFinish() throws {
        let loop = scratch.write("loop.lua", "local P = { name = 'loop' }\nfunction P:weights(s)\n  while true do end\nend\nreturn P\n")
        let manifest = try Manifest.load(scratch.write("m.yaml", tinyManifest(steps: 5, seeds: "[1]", policies: """
              loop: { script: \(loop), time_ms: 60 }
              equal: { script: \(repositoryRoot)/policies/equal.lua, memory_mb: 8 }
            """)))
        #expect(manifest.policies.map(\.limits) == [LuaLimits(memoryBytes: 64 << 20, milliseconds: 60),
                                                   LuaLimits(memoryBytes: 8 << 20, milliseconds: 1000)])
        let outcomes = try ExperimentRunner(manifest: manifest, store: RunStore(path: "\(scratch.path)/s.sqlite")).run()
        #expect(outcomes.map(\.error) == ["policy loop step 1: \(loop):3: time limit of 60 ms exceeded", nil])
    }
}

@Suite("Policy replay")
struct PolicyReplayTests {
    let scratch = ScratchDirectory()

    func recordedRun(policy: String = "dtp.lua", options: String = "{ gamma: 2 }") throws -> (RunStore, String) {
        let manifest = try Manifest.load(scratch.write("m.yaml", tinyManifest(steps: 30, seeds: "[4]", policies:
            "  p: { script: \(repositoryRoot)/policies/\(policy), options: \(options) }")))
        let store = try RunStore(path: "\(scratch.path)/s.sqlite")
        let outcome = try #require(try ExperimentRunner(manifest: manifest, store: store).run().first)
        #expect(outcome.error == nil)
        return (store, outcome.run.id)
    }

    @Test func replayingTheSamePolicyReproducesTheAppliedWeights() throws {
        let (store, id) = try recordedRun()
        let steps = try PolicyReplay.replay(file: "\(repositoryRoot)/policies/dtp.lua", options: ["gamma": .number(2)], run: id, store: store)
        #expect(steps.count == 30)
        #expect(steps.allSatisfy { $0.applied == $0.weights.shared })
        let other = try PolicyReplay.replay(file: "\(repositoryRoot)/policies/dtp.lua", run: id, store: store)
        #expect(zip(other, steps).contains { $0.weights != $1.weights }, "another gamma answers differently")
    }

    @Test func aRandomPolicyReplaysIdenticallyFromTheRunsSeed() throws {
        let random = scratch.write("rlw.lua", """
            local P = { name = "rlw" }
            function P:weights(s) local w = {} for t = 1, #s.tasks do w[t] = random() end return w end
            return P
            """)
        let manifest = try Manifest.load(scratch.write("r.yaml", tinyManifest(steps: 10, seeds: "[9]", policies: "  rlw: { script: \(random) }")))
        let store = try RunStore(path: "\(scratch.path)/r.sqlite")
        let outcome = try #require(try ExperimentRunner(manifest: manifest, store: store).run().first)
        let steps = try PolicyReplay.replay(file: random, run: outcome.run.id, store: store)
        #expect(steps.allSatisfy { $0.applied == $0.weights.shared })
    }

    @Test func signalsFromAJSONLinesFile() throws {
        let file = scratch.write("s.jsonl", """
            {"step": 1, "loss": [1.0, 2.0], "kpi": [0.9, 0.2]}
            {"step": 2, "loss": [0.5, 1.5], "kpi": [0.5, 0.4], "tasks": ["a", "b"]}
            """)
        let steps = try PolicyReplay.replay(file: "\(repositoryRoot)/policies/dtp.lua", options: ["alpha": .number(1)], signalsFile: file)
        #expect(steps.map(\.step) == [1, 2])
        #expect(abs(steps[1].weights.shared[1] - (-(1 - 0.4) * log(0.4))) < 1e-12)
        #expect(steps.allSatisfy { $0.applied == nil })
    }

    @Test func aBadSignalsLineIsNamed() throws {
        let file = scratch.write("bad.jsonl", "{\"step\": 1, \"loss\": [1]}\n{\"step\": 2}\n")
        let error = try #require(throws: PolicyReplay.ReplayError.self) {
            try PolicyReplay.replay(file: "\(repositoryRoot)/policies/equal.lua", signalsFile: file)
        }
        #expect(error.description == "\(file):2: expected a JSON object with the fields of s (at least 'step' and 'loss'): missing 'loss'")
    }
}

/// `policy replay --signals` with the ctx the file alone cannot give: from `--ctx` or a header line.
@Suite("Replay ctx")
struct ReplayContextTests {
    let scratch = ScratchDirectory()

    /// A policy whose weights are its ctx: total_steps × scale, steps_per_epoch, seed, kind 1 == "binary".
    var probe: String {
        scratch.write("probe.lua", """
            local P = { name = "probe", defaults = { scale = 1 } }
            function P:init(ctx) self.ctx = ctx end
            function P:weights(s)
              local c = self.ctx
              return { c.total_steps * self.scale, c.steps_per_epoch, c.seed, c.kinds[1] == "binary" and 1 or 0 }
            end
            return P
            """)
    }

    func signals(header: String? = nil) -> String {
        let lines = (1...3).map { #"{"step": \#($0), "loss": [1, 1, 1, 1]}"# }
        return scratch.write("s.jsonl", ((header.map { [$0] } ?? []) + lines).joined(separator: "\n"))
    }

    @Test func withoutCtxTheFileGivesItsLengthAndSeedOne() throws {
        let steps = try PolicyReplay.replay(file: probe, signalsFile: signals())
        #expect(steps[0].weights.shared == [3, 3, 1, 0])
    }

    @Test func aHeaderLineGivesTheCtxAndCtxOverridesItFieldByField() throws {
        let file = signals(header: #"{"ctx": {"total_steps": 3000, "steps_per_epoch": 100, "seed": 7, "kinds": ["binary", "a", "b", "c"], "options": {"scale": 2}}}"#)
        #expect(try PolicyReplay.replay(file: probe, signalsFile: file)[0].weights.shared == [6000, 100, 7, 1])
        let given = try ReplayContext.load(argument: #"{"seed": 9, "options": {"scale": 3}}"#)
        #expect(try PolicyReplay.replay(file: probe, signalsFile: file, context: given)[0].weights.shared == [9000, 100, 9, 1])
        // --option wins over both.
        #expect(try PolicyReplay.replay(file: probe, options: ["scale": .number(1)], signalsFile: file, context: given)[0].weights.shared == [3000, 100, 9, 1])
        // --ctx from a file.
        let ctxFile = scratch.write("ctx.json", #"{"total_steps": 10}"#)
        #expect(try PolicyReplay.replay(file: probe, signalsFile: signals(), context: try ReplayContext.load(argument: ctxFile))[0].weights.shared == [10, 10, 1, 0])
    }

    @Test(arguments: [
        (#"{"total_step": 3}"#, "--ctx: unknown ctx key 'total_step'; expected one of: total_steps, steps_per_epoch, seed, kinds, options"),
        (#"{"total_steps": 2.5}"#, "--ctx: ctx 'total_steps' must be an integer ≥ 1, got 2.5"),
        (#"{"seed": "seven"}"#, "--ctx: ctx 'seed' must be an integer ≥ 0, got \"seven\""),
        (#"{"kinds": ["a", 1]}"#, "--ctx: ctx 'kinds' must be a list of strings, got [\"a\", 1]"),
        (#"{"options": 3}"#, "--ctx: ctx 'options' must be an object of option values, got 3"),
        (#"{"seed": 1"#, "--ctx: expected a JSON object with some of: total_steps, steps_per_epoch, seed, kinds, options"),
    ])
    func aBadCtxIsNamedWithTheKeyAndWhatWasExpected(json: String, message: String) throws {
        let error = try #require(throws: PolicyReplay.ReplayError.self) { try ReplayContext.load(argument: json) }
        #expect(error.description == message)
    }

    @Test func ctxThatContradictsTheFileIsAnError() throws {
        let file = signals(header: #"{"ctx": {"total_steps": 2}}"#)
        let short = try #require(throws: PolicyReplay.ReplayError.self) { try PolicyReplay.replay(file: probe, signalsFile: file) }
        #expect(short.description == "\(file): step 3 is beyond ctx total_steps 2")
        let kinds = try #require(throws: PolicyReplay.ReplayError.self) {
            try PolicyReplay.replay(file: probe, signalsFile: signals(), context: ReplayContext(taskKinds: ["binary"]))
        }
        #expect(kinds.description == "\(signals()): ctx kinds has 1 entries, the signals 4 tasks")
        let badHeader = signals(header: #"{"ctx": {"seed": -1}}"#)
        let header = try #require(throws: PolicyReplay.ReplayError.self) { try PolicyReplay.replay(file: probe, signalsFile: badHeader) }
        #expect(header.description == "\(badHeader):1: ctx: ctx 'seed' must be an integer ≥ 0, got -1")
        let missing = try #require(throws: PolicyReplay.ReplayError.self) { try ReplayContext.load(argument: "nowhere.json") }
        #expect(missing.description == "--ctx nowhere.json: cannot read the file (give a JSON object or a file holding one)")
    }
}
