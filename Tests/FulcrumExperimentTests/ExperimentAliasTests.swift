import Foundation
import FulcrumExperiment
import FulcrumTestSupport
import Testing

@Suite("Manifest: aliases (--as, --policies)")
struct ExperimentAliasTests {
    let scratch = ScratchDirectory()

    /// Three policies, dtp's γ swept, equal the baseline, a report file.
    var manifestFile: String {
        scratch.write("m.yaml", tinyManifest(policies: """
              equal: { script: \(repositoryRoot)/policies/equal.lua }
              dtp: { script: \(repositoryRoot)/policies/dtp.lua }
              dwa: { script: \(repositoryRoot)/policies/dwa.lua }
            sweep:
              policies.dtp.options.gamma: [1, 2]
              train.lr: [0.01, 0.001]
            report: { baseline: equal, output: notebooks-md/tiny.md }
            """))
    }

    var inlinePolicy: String { scratch.write("nb/policies/mine.lua", "return { name = 'mine', weights = function(self, s) return { 1, 2 } end }") }

    @Test func aRenamedManifestIsAnotherExperimentWithoutTheReportFile() throws {
        let original = try Manifest.load(manifestFile)
        let alias = try Manifest.load(manifestFile, as: ExperimentAlias(name: "tiny-nb"))
        #expect(alias.name == "tiny-nb" && alias.report.output == nil && alias.report.baseline == "equal")
        #expect(alias.policies.map(\.name) == ["equal", "dtp", "dwa"] && alias.definitions == original.definitions)
        // The name is part of every run's id: the alias's runs never replace the manifest's.
        let store = try RunStore(path: "\(scratch.path)/store.sqlite")
        let originalIDs = Set(ExperimentRunner(manifest: original, store: store).plannedRuns.map(\.id))
        let aliasIDs = ExperimentRunner(manifest: alias, store: store).plannedRuns.map(\.id)
        #expect(aliasIDs.count == originalIDs.count && originalIDs.isDisjoint(with: aliasIDs))
    }

    @Test func policiesKeepsTheListedOnesInThatOrderWithTheirSweeps() throws {
        let alias = try Manifest.load(manifestFile, as: ExperimentAlias(name: "v", policies: ["dwa", "dtp", "equal"]))
        #expect(alias.policies.map(\.name) == ["dwa", "dtp", "equal"])
        #expect(alias.policies[1].optionPoints.map { $0.map(\.description) } == [["gamma=1"], ["gamma=2"]])

        // Dropping dtp drops its swept option; the other axes stay.
        let withoutDTP = try Manifest.load(manifestFile, as: ExperimentAlias(name: "v", policies: ["equal", "dwa"]))
        #expect(withoutDTP.policies.map(\.name) == ["equal", "dwa"])
        #expect(withoutDTP.definitions.map { $0.point.map(\.description) } == [["train.lr=0.01"], ["train.lr=0.001"]])
    }

    @Test func anInlinePolicyIsAddedWithItsFileAsTheScript() throws {
        let script = inlinePolicy
        let alias = try Manifest.load(manifestFile, as: ExperimentAlias(name: "v", policies: ["equal", "mine"], addedPolicies: ["mine": script]))
        #expect(alias.policies.map(\.name) == ["equal", "mine"])
        #expect(alias.policies[1].script == script && alias.policies[1].options.isEmpty)
    }

    @Test func noPolicyMayTakeTheSingleTaskBaselinesName() throws {
        let alias = ExperimentAlias(name: "v", policies: ["equal", "single_task"], addedPolicies: ["single_task": inlinePolicy])
        let error = try #require(throws: ExperimentAliasError.self) { try Manifest.load(manifestFile, as: alias) }
        #expect(error.message == "'single_task' names the single-task baselines in the store; give the inline policy another name")
        let manifest = scratch.write("st.yaml", tinyManifest(policies: "  single_task: { script: \(repositoryRoot)/policies/equal.lua }"))
        let problems = try #require(throws: ManifestError.self) { try Manifest.load(manifest) }.problems
        #expect(problems.map { "\($0.line ?? 0) \($0.keyPath): \($0.message)" } ==
                ["26 policies.single_task: 'single_task' names the single-task baselines in the store (baselines: single_task); give the policy another name"])
    }

    @Test func theQuickFormOfAnAliasKeepsItsPoliciesAndOneSeed() throws {
        let alias = try Manifest.load(manifestFile, quick: true, as: ExperimentAlias(name: "nb", policies: ["equal", "dwa"]))
        #expect(alias.name == "nb-quick" && alias.seeds == [1] && alias.policies.map(\.name) == ["equal", "dwa"])
    }

    @Test func anotherBaselineCanBeChosenAmongTheKeptPolicies() throws {
        let alias = try Manifest.load(manifestFile, as: ExperimentAlias(name: "v", policies: ["dtp", "dwa"], baseline: "dwa"))
        #expect(alias.report.baseline == "dwa")
        // A manifest without a report section gets one.
        let bare = scratch.write("bare.yaml", tinyManifest(policies: "  equal: { script: \(repositoryRoot)/policies/equal.lua }"))
        #expect(try Manifest.load(bare, as: ExperimentAlias(name: "v", baseline: "equal")).report.baseline == "equal")
    }

    @Test func aPolicyNeitherInTheManifestNorInlineNamesBothLists() throws {
        let alias = ExperimentAlias(name: "v", policies: ["equal", "nope"], addedPolicies: ["mine": inlinePolicy])
        #expect(throws: ExperimentAliasError(message: "no policy 'nope' in the manifest (equal, dtp, dwa) or inline (mine)")) {
            try Manifest.load(manifestFile, as: alias)
        }
    }

    @Test func droppingTheBaselineIsAnError() throws {
        #expect(throws: ExperimentAliasError(message:
            "report.baseline 'equal' is not among the kept policies (dtp, dwa): keep it in --policies or choose another with --baseline")) {
            try Manifest.load(manifestFile, as: ExperimentAlias(name: "v", policies: ["dtp", "dwa"]))
        }
        #expect(throws: ExperimentAliasError(message: "--baseline equal is not among the kept policies (dtp)")) {
            try Manifest.load(manifestFile, as: ExperimentAlias(name: "v", policies: ["dtp"], baseline: "equal"))
        }
    }

    @Test func aNameListedTwiceOrBothInTheManifestAndInlineIsAnError() throws {
        #expect(throws: ExperimentAliasError(message: "--policies lists 'dtp' twice")) {
            try Manifest.load(manifestFile, as: ExperimentAlias(name: "v", policies: ["equal", "dtp", "dtp"]))
        }
        let script = inlinePolicy
        #expect(throws: ExperimentAliasError(message:
            "'dtp' is both a policy of the manifest (\(repositoryRoot)/policies/dtp.lua) and an inline policy (\(script)); rename the inline one")) {
            try Manifest.load(manifestFile, as: ExperimentAlias(name: "v", policies: ["equal", "dtp"], addedPolicies: ["dtp": script]))
        }
    }

    @Test func anInvalidNameIsRefusedNamingTheOption() throws {
        #expect(throws: ExperimentAliasError(message: "--as: expected a name of letters, digits, '_', '-' or '.', got 'no spaces'")) {
            try Manifest.load(manifestFile, as: ExperimentAlias(name: "no spaces"))
        }
    }

    @Test func theQuickFormOfAnAliasIsNamedAfterTheAlias() throws {
        let quick = try Manifest.load(manifestFile, quick: true, as: ExperimentAlias(name: "nb", policies: ["dwa"], baseline: "dwa"))
        #expect(quick.name == "nb-quick" && quick.policies.map(\.name) == ["dwa"] && quick.report.baseline == "dwa" && quick.report.output == nil)
        #expect(quick.definitions.map(\.definitionHash) == (try Manifest.load(manifestFile, quick: true)).definitions.map(\.definitionHash))
    }
}
