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

        /// A single-task baseline: the definition's one task, weight 1, no policy file.
        public var isSingleTaskBaseline: Bool { definition.singleTaskPosition != nil }

        /// How the progress display and the logs name the run, e.g. "dtp gamma=2 seed 2".
        public var label: String {
            ([policy.name] + optionPoint.map(\.description) + (definition.label.isEmpty ? [] : [definition.label]) + ["seed \(seed)"])
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
    /// and the seeds; then the single-task baselines (which ignore overrides) over the seeds.
    static func plan(_ manifest: Manifest) -> [PlannedRun] {
        var runs: [PlannedRun] = []
        for policy in manifest.policies {
            for point in policy.optionPoints {
                let options = policy.options(at: point)
                let script = PolicySource.combinedHash(policy.scriptHash, script: policy.script,
                                                       innerPolicies: options.merging(policy.defaults) { manifest, _ in manifest })
                for definition in manifest.definitionsTrained(by: policy) {
                    for seed in manifest.seeds {
                        runs.append(PlannedRun(id: runID(manifest, definition, policy, options: options, scriptHash: script, seed),
                                               policy: policy, optionPoint: point, options: options, definition: definition,
                                               seed: seed, policyHash: script))
                    }
                }
            }
        }
        for definition in manifest.baselineDefinitions {
            for seed in manifest.seeds {
                runs.append(PlannedRun(id: runID(manifest, definition, singleTaskEntry, options: [:], scriptHash: "", seed),
                                       policy: singleTaskEntry, optionPoint: [], options: [:], definition: definition, seed: seed, policyHash: ""))
            }
        }
        return runs
    }

    /// Stable and content-addressed: a hash of everything that defines the run — the experiment's
    /// name, the definition's data/tasks/model/train sections, the policy's name, file contents,
    /// options and limits, and the seed. Editing anything else (another policy, the seed list, the
    /// report, another sweep value) keeps the id, so a rerun skips the run; editing the policy file
    /// or its options changes it.
    static func runID(_ manifest: Manifest, _ definition: Manifest.RunDefinition, _ policy: Manifest.PolicyEntry,
                      options: [String: SettingValue], scriptHash script: String, _ seed: UInt64) -> String {
        let options = options.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ";")
        let parts = [manifest.name, definition.definitionHash, policy.name, script, options,
                     "\(policy.limits.memoryBytes)/\(policy.limits.milliseconds)", "\(seed)"]
        return String(SHA256.hexDigest(parts.joined(separator: "\n")).prefix(16))
    }
}
