import Foundation
import FulcrumCore
import FulcrumLua

extension ExperimentRunner {
    /// One run of the manifest: a policy (at one point of its option sweep) on one run definition, one seed.
    public struct PlannedRun: Sendable, Equatable {
        public let id: String
        /// The manifest's entry; `options` below are what the run gives it.
        public let policy: Manifest.PolicyEntry
        /// The settings of the policy's option sweep this run takes (empty without one).
        public let optionPoint: [SweepSetting]
        /// The entry's options with `optionPoint` applied.
        public let options: [String: SettingValue]
        public let definition: Manifest.RunDefinition
        public let seed: UInt64
        /// SHA-256 of the policy file's contents when the plan was made ("" for a single-task baseline).
        public let policyHash: String
        /// 1, or the run's generation when its policy has `generations`.
        public var generation = 1
        /// What the run's policy starts from, when it remembers (`ctx.memory`): the records of the
        /// generations before this one.
        public var memory = PolicyMemory()
        /// Where `--shard` counts the run: its place in the plan, or — for a policy with generations —
        /// the place of its chain's first run, so that a shard holds whole chains (generation g needs
        /// every run of g − 1 in the same store).
        public var shardPosition = 0

        /// A single-task baseline: the definition's one task, weight 1, no policy file.
        public var isSingleTaskBaseline: Bool { definition.singleTaskPosition != nil }

        /// How the progress display and the logs name the run, e.g. "dtp gamma=2 seed 2".
        public var label: String {
            ([policy.name] + optionPoint.map(\.description) + (definition.label.isEmpty ? [] : [definition.label])
                + (policy.generations > 1 ? ["generation \(generation)"] : []) + ["seed \(seed)"])
                .joined(separator: " ")
        }

        /// The run's sweep point: its policy's swept options, the swept definition keys, and the task
        /// of a single-task baseline.
        public var point: SweepPoint {
            var settings = optionPoint + definition.point
            if definition.singleTaskPosition != nil { settings.append(SweepSetting(.singleTask, .string(definition.tasks[0].spec.name))) }
            return SweepPoint(settings)
        }
    }

    /// The manifest's entry for single-task baselines (no script: the runner weights the one task 1).
    static let singleTaskEntry = Manifest.PolicyEntry(name: singleTaskPolicy, script: "", options: [:], limits: LuaLimits())
    /// The policy name the store records for single-task baselines.
    public static let singleTaskPolicy = "single_task"

    /// Policies in manifest order, each over its option points, the run definitions (with its overrides)
    /// and the seeds; then the single-task baselines (which ignore overrides) over the seeds. A policy
    /// with `generations` has a chain per option point and definition: generation 1 over the seeds,
    /// then generation g once every run of g − 1 has ended in `store` (finished or diverged), seeing
    /// the records of all generations before it. Without a store, only generation 1 is planned.
    static func plan(_ manifest: Manifest, store: RunStore?) throws -> [PlannedRun] {
        var runs: [PlannedRun] = []
        var position = 0
        for policy in manifest.policies {
            for point in policy.optionPoints {
                let options = policy.options(at: point)
                let script = PolicySource.combinedHash(policy.scriptHash, script: policy.script,
                                                       innerPolicies: options.merging(policy.defaults) { manifest, _ in manifest })
                for definition in manifest.definitionsTrained(by: policy) {
                    let chainStart = position
                    func generation(_ memory: PolicyMemory) -> [PlannedRun] {
                        manifest.seeds.map { seed in
                            var run = PlannedRun(id: runID(manifest, definition, policy, options: options, scriptHash: script, seed, memory: memory),
                                                 policy: policy, optionPoint: point, options: options, definition: definition,
                                                 seed: seed, policyHash: script)
                            run.generation = memory.generation
                            run.memory = memory
                            run.shardPosition = policy.generations > 1 ? chainStart : position
                            if memory.generation == 1 { position += 1 }
                            return run
                        }
                    }
                    var chain = generation(PolicyMemory(generation: 1, of: policy.generations))
                    runs += chain
                    guard policy.generations > 1, let store else { continue }
                    var records: [MemoryRecord] = []
                    for next in 2...policy.generations {
                        let ended = try store.memories(ofRuns: chain.map(\.id))
                        guard chain.allSatisfy({ ended[$0.id]?.hasEnded == true }) else { break }
                        records += chain.compactMap { run in
                            ended[run.id]?.value.map { MemoryRecord(generation: next - 1, seed: run.seed, run: run.id, value: $0) }
                        }
                        chain = generation(PolicyMemory(generation: next, of: policy.generations, records: records))
                        runs += chain
                    }
                }
            }
        }
        for definition in manifest.baselineDefinitions {
            for seed in manifest.seeds {
                var run = PlannedRun(id: runID(manifest, definition, singleTaskEntry, options: [:], scriptHash: "", seed),
                                     policy: singleTaskEntry, optionPoint: [], options: [:], definition: definition, seed: seed, policyHash: "")
                run.shardPosition = position
                position += 1
                runs.append(run)
            }
        }
        return runs
    }

    /// Stable and content-addressed: a hash of everything that defines the run — the experiment's
    /// name, the definition's data/tasks/model/train sections, the policy's name, file contents,
    /// options and limits, and the seed. Editing anything else (another policy, the seed list, the
    /// report, another sweep value) keeps the id, so a rerun skips the run; editing the policy file
    /// or its options changes it. A policy that remembers adds its generation and the memory it sees.
    static func runID(_ manifest: Manifest, _ definition: Manifest.RunDefinition, _ policy: Manifest.PolicyEntry,
                      options: [String: SettingValue], scriptHash script: String, _ seed: UInt64,
                      memory: PolicyMemory = PolicyMemory()) -> String {
        let options = options.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ";")
        var parts = [manifest.name, definition.definitionHash, policy.name, script, options,
                     "\(policy.limits.memoryBytes)/\(policy.limits.milliseconds)", "\(seed)"]
        if policy.remembers {
            parts += ["generation \(memory.generation) of \(memory.generations)", SHA256.hexDigest(MemoryValue.array(memory.records.map(\.asValue)).json)]
        }
        return String(SHA256.hexDigest(parts.joined(separator: "\n")).prefix(16))
    }
}
