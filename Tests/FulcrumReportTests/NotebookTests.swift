import Foundation
import FulcrumExperiment
@testable import FulcrumReport
import FulcrumTestSupport
import Testing

@Suite("Notebook: reading and rewriting the file")
struct NotebookDocumentTests {
    /// CRLF line ends, trailing spaces, a ```` ````markdown ```` fence quoting a fulcrum block (not a
    /// block), a plain `lua` block (prose), and a last block that ends the file without a newline.
    let original = "# T\r\n\r\nprose with trailing spaces   \r\n```fulcrum\r\nreport x --table\r\n\r\n# a comment\r\n```\r\nmiddle\r\n"
        + "````markdown\r\n```fulcrum\r\nrun inside\r\n```\r\n````\r\n```lua\r\nprint(1)\r\n```\r\n"
        + "```lua policy=mine\r\nreturn {}\r\n```\r\n~~~fulcrum\r\nreport y\r\n~~~"

    func rewritten(_ bytes: [UInt8], block: Int, hash: String?, output: [String]) throws -> [UInt8] {
        let document = try NotebookDocument(file: "nb.md", bytes: bytes)
        return document.replacingOutput(of: document.blocks[block], hash: hash, output: output)
    }

    @Test func onlyFulcrumAndInlinePolicyFencesAreSpecial() throws {
        let document = try NotebookDocument(file: "nb.md", bytes: Array(original.utf8))
        #expect(document.blocks.map(\.line) == [4, 21])
        #expect(document.blocks[0].commands == [NotebookBlock.Command(line: 5, text: "report x --table")])
        #expect(document.blocks[1].commands.map(\.text) == ["report y"])
        #expect(document.inlinePolicies == [InlinePolicy(name: "mine", line: 18, source: Array("return {}\r\n".utf8))])
    }

    @Test func writingOutputsChangesNothingButTheRegions() throws {
        var bytes = try rewritten(Array(original.utf8), block: 0, hash: "0123456789abcdef0000", output: ["| a |"])
        bytes = try rewritten(bytes, block: 1, hash: nil, output: ["y"])
        let written = "# T\r\n\r\nprose with trailing spaces   \r\n```fulcrum\r\nreport x --table\r\n\r\n# a comment\r\n```\r\n"
            + "\r\n<!-- fulcrum:output sha256=0123456789abcdef -->\r\n| a |\r\n<!-- /fulcrum:output -->\r\n"
            + "middle\r\n````markdown\r\n```fulcrum\r\nrun inside\r\n```\r\n````\r\n```lua\r\nprint(1)\r\n```\r\n"
            + "```lua policy=mine\r\nreturn {}\r\n```\r\n~~~fulcrum\r\nreport y\r\n~~~"
            + "\r\n\r\n<!-- fulcrum:output failed -->\r\ny\r\n<!-- /fulcrum:output -->\r\n"
        #expect(String(decoding: bytes, as: UTF8.self) == written)

        // The regions found again: replaced in place, and back to the same bytes.
        let document = try NotebookDocument(file: "nb.md", bytes: bytes)
        #expect(document.blocks.map(\.recordedHash) == ["0123456789abcdef", nil])
        let other = try rewritten(bytes, block: 0, hash: "ffffffffffffffff", output: ["| b |", "", "| c |"])
        #expect(String(decoding: other, as: UTF8.self) == written.replacingOccurrences(
            of: "sha256=0123456789abcdef -->\r\n| a |\r\n", with: "sha256=ffffffffffffffff -->\r\n| b |\r\n\r\n| c |\r\n"))
        #expect(try rewritten(other, block: 0, hash: "0123456789abcdef", output: ["| a |"]) == bytes)
    }

    @Test func aRegionAfterBlankLinesIsTheBlocksAndOneAfterProseIsNot() throws {
        let text = "```fulcrum\nreport x\n```\n\n\n<!-- fulcrum:output sha256=aaaa -->\nold\n<!-- /fulcrum:output -->\n"
            + "```fulcrum\nreport y\n```\nprose\n<!-- fulcrum:output sha256=bbbb -->\nkept\n<!-- /fulcrum:output -->\n"
        let document = try NotebookDocument(file: "nb.md", bytes: Array(text.utf8))
        #expect(document.blocks.map(\.recordedHash) == ["aaaa", nil])
        let bytes = document.replacingOutput(of: document.blocks[0], hash: "cccc", output: ["new"])
        #expect(String(decoding: bytes, as: UTF8.self) == text.replacingOccurrences(
            of: "```\n\n\n<!-- fulcrum:output sha256=aaaa -->\nold\n", with: "```\n\n<!-- fulcrum:output sha256=cccc -->\nnew\n"))
    }

    @Test func unclosedBlocksAndRegionsAreErrorsAtTheirLine() {
        #expect(throws: NotebookError(file: "nb.md", line: 2, message: "this fulcrum block is not closed: add a closing fence ```")) {
            try NotebookDocument(file: "nb.md", bytes: Array("prose\n```fulcrum\nreport x\n".utf8))
        }
        #expect(throws: NotebookError(file: "nb.md", line: 4, message:
            "this output region is not closed: its closing marker line is missing (delete the opening marker to start afresh)")) {
            try NotebookDocument(file: "nb.md", bytes: Array("```fulcrum\nreport x\n```\n<!-- fulcrum:output sha256=aa -->\nout\n".utf8))
        }
    }

    @Test func headingsOfAnEmbeddedReportGoTwoLevelsDown() {
        #expect(NotebookSession.demotingHeadings("# r\n\n## KPI\n#hashtag\n```\n# code\n```\n##### deep\n") ==
                ["### r", "", "#### KPI", "#hashtag", "```", "# code", "```", "###### deep"])
    }

    @Test func figureLinksEscapeTheirTitle() {
        #expect(ReportFigure.imageLink(title: "KPI [val]", path: "nb/x/kpi.svg") == "![KPI \\[val\\]](nb/x/kpi.svg)")
        #expect(ReportFigure.imageLink(title: "w", path: "my nb/x/w.svg") == "![w](<my nb/x/w.svg>)")
    }
}

@Suite("Notebook: running blocks")
struct NotebookSessionTests {
    let scratch = ScratchDirectory()

    /// Two tasks, four steps, one seed: each run trains in milliseconds.
    var manifest: String {
        scratch.write("m.yaml", """
            name: tiny
            data: { dataset: synthetic, input_dim: 4, train_size: 32, val_size: 16 }
            tasks:
              - { name: first, type: classification, classes: 2 }
              - { name: second, type: binary }
            model: { architecture: hard_sharing, trunk: [4] }
            train: { steps: 4, batch_size: 8, optimizer: sgd, lr: 0.1, eval_every: 2 }
            seeds: [1]
            policies:
              equal: { script: \(repositoryRoot)/policies/equal.lua }
              dtp: { script: \(repositoryRoot)/policies/dtp.lua }
            report: { baseline: equal, output: \(scratch.path)/tiny.md }
            """)
    }

    func notebook(weights: String = "{ 1, 2 }") -> String {
        """
        # A notebook\u{20}\u{20}

        My policy weights the second task twice:

        ```lua policy=mine
        return { name = "mine", weights = function(self, s) return \(weights) end }
        ```

        ```fulcrum
        # equal weights against mine
        run \(manifest) --as nb --policies equal,mine
        ```

        ```fulcrum
        report nb --table
        report nb --figures weights
        ```

        ```fulcrum
        run \(manifest) --as other --policies dtp --baseline dtp
        ```
        The end, without a newline.
        """
    }

    func session(_ file: String) -> NotebookSession { NotebookSession(path: file, storePath: "\(scratch.path)/store.sqlite") }

    func read(_ file: String) throws -> String { try String(contentsOfFile: file, encoding: .utf8) }

    /// The file without the regions a first pass inserted: the notebook as written.
    func prose(_ text: String) -> String {
        text.replacingOccurrences(of: "\n<!-- fulcrum:output [^\n]*-->\n[\\s\\S]*?<!-- /fulcrum:output -->\n", with: "",
                                  options: .regularExpression)
    }

    func startTimes() throws -> [String: String] {
        let store = try RunStore.existing(at: "\(scratch.path)/store.sqlite")
        let runs = try store.listRuns(RunFilter())
        return Dictionary(uniqueKeysWithValues: runs.map { ($0.run.id, $0.run.startedAt) })
    }

    @Test func runningTwiceLeavesTheSecondPassAByteIdenticalNoOpThatTrainsNothing() throws {
        let file = scratch.write("nb.md", notebook())
        let first = try session(file).run()
        #expect(first.map(\.status) == [.ran, .ran, .ran] && first[0].description == "block 1 (line 9): ran")
        let text = try read(file)
        #expect(text.contains("""
            <!-- /fulcrum:output -->
            The end, without a newline.
            """))
        #expect(prose(text) == notebook())
        #expect(text.contains("```text\nnb: 2 runs (2 policies × 1 seed), 2 finished\n```\n<!-- /fulcrum:output -->"))
        #expect(text.contains("| policy | first (accuracy) | second (accuracy) | Δm vs equal (%) | mean rank | seeds |"))
        #expect(text.contains("![equal: task weights over training](nb/nb/weights-equal.svg)\n\n"
                              + "![mine: task weights over training](nb/nb/weights-mine.svg)\n<!-- /fulcrum:output -->"))
        #expect(try read("\(scratch.path)/nb/nb/weights-mine.svg").contains("data-series=\"second\""))
        #expect(try read("\(scratch.path)/nb/policies/mine.lua") == "return { name = \"mine\", weights = function(self, s) return { 1, 2 } end }\n")

        let trained = try startTimes()
        let modified = try FileManager.default.attributesOfItem(atPath: file)[.modificationDate] as? Date
        let second = try session(file).run()
        #expect(second.map(\.status) == [.upToDate, .upToDate, .upToDate])
        #expect(try read(file) == text)
        #expect(try FileManager.default.attributesOfItem(atPath: file)[.modificationDate] as? Date == modified)
        #expect(try startTimes() == trained)
    }

    @Test func editingTheInlinePolicyRunsTheBlocksThatUseItAgain() throws {
        let file = scratch.write("nb.md", notebook())
        try session(file).run()
        let before = try startTimes()
        // The edit is in the notebook as the first pass left it, regions and all.
        let edited = try read(file).replacingOccurrences(of: "return { 1, 2 }", with: "return { 2, 1 }")
        scratch.write("nb.md", edited)
        let outcomes = try session(file).run()
        #expect(outcomes.map(\.status) == [.ran, .ran, .upToDate])
        let after = try startTimes()
        // mine trained again under a new id; equal and the other experiment's dtp were kept.
        #expect(after.count == before.count + 1 && before.allSatisfy { after[$0.key] == $0.value })
        #expect(try read("\(scratch.path)/nb/policies/mine.lua").contains("return { 2, 1 }"))
    }

    @Test func forceRunsEveryBlockWithoutRetraining() throws {
        let file = scratch.write("nb.md", notebook())
        try session(file).run()
        let text = try read(file), trained = try startTimes()
        let forced = session(file)
        forced.force = true
        #expect(try forced.run().map(\.status) == [.ran, .ran, .ran])
        #expect(try read(file) == text && (try startTimes()) == trained)
    }

    @Test func anUnknownCommandStopsTheNotebookWithItsErrorInPlace() throws {
        let file = scratch.write("nb.md", notebook().replacingOccurrences(of: "report nb --figures weights", with: "plot nb"))
        var heard: [String] = []
        // Lines are those of the file as it is when the block runs: block 1's output is above.
        #expect(throws: NotebookError(file: file, line: 22, message:
            "unknown command 'plot'; a fulcrum block takes: run MANIFEST [--quick] [--as NAME] [--policies A,B,…] [--baseline NAME]; "
            + "report EXPERIMENT [--table | --figures KIND,…]")) {
            try session(file).run { heard.append($0.description) }
        }
        #expect(heard == ["block 1 (line 9): ran", "block 2 (line 20): failed"])
        let text = try read(file)
        // The first block's output is written, the error sits in the second's region, the third is untouched.
        #expect(text.contains("nb: 2 runs (2 policies × 1 seed), 2 finished"))
        #expect(text.contains("""
            <!-- fulcrum:output failed -->
            ```text
            error: line 22: unknown command 'plot'; a fulcrum block takes:
            """))
        #expect(text.hasSuffix("--as other --policies dtp --baseline dtp\n```\nThe end, without a newline."))

        // A failed block is run again next time; fixed, it succeeds.
        scratch.write("nb.md", text.replacingOccurrences(of: "plot nb", with: "report nb --figures weights"))
        #expect(try session(file).run().map(\.status) == [.upToDate, .ran, .ran])
    }

    @Test func commandsAreCheckedWithTheirLineAndWhatIsAccepted() throws {
        let parse = { (text: String) in try NotebookInstruction.parse(NotebookBlock.Command(line: 7, text: text), file: "nb.md") }
        #expect(try parse("run m.yaml --quick --as=v --policies a,b --baseline b")
                == .run(.init(manifest: "m.yaml", form: .init(quick: true, name: "v", policies: ["a", "b"], baseline: "b"))))
        #expect(try parse("report v --figures kpi,weights") == .report(.init(experiment: "v", form: .figures([.kpi, .weights]))))
        #expect(throws: NotebookError(file: "nb.md", line: 7, message:
            "run: Unknown option '--fast'. Did you mean '--as'? Usage: run MANIFEST [--quick] [--as NAME] [--policies A,B,…] [--baseline NAME]")) {
            try parse("run m.yaml --fast")
        }
        #expect(throws: NotebookError(file: "nb.md", line: 7, message:
            "run: --policies needs --as NAME: a manifest with other policies or another baseline is an experiment of its own. "
            + "Usage: run MANIFEST [--quick] [--as NAME] [--policies A,B,…] [--baseline NAME]")) {
            try parse("run m.yaml --policies a")
        }
        #expect(throws: NotebookError(file: "nb.md", line: 7, message: "report: unknown figure kind 'bars'; kinds: kpi, weights, weight-sum, positions, options, series, generations. "
            + "Usage: report EXPERIMENT [--table | --figures KIND,…]")) {
            try parse("report v --figures bars")
        }
    }

    @Test func aPolicyNeitherInTheManifestNorInlineFailsItsBlock() throws {
        let file = scratch.write("nb.md", notebook().replacingOccurrences(of: "--policies equal,mine", with: "--policies equal,theirs"))
        #expect(throws: NotebookError(file: file, line: 11, message: "no policy 'theirs' in the manifest (equal, dtp) or inline (mine)")) {
            try session(file).run()
        }
    }

    @Test func outputHoldingAMarkerIsRefused() throws {
        let described = try read(manifest).replacingOccurrences(of: "name: tiny", with: "name: tiny\ndescription: see <!-- /fulcrum:output -->")
        let manifestFile = scratch.write("m.yaml", described)
        let file = scratch.write("nb.md", "```fulcrum\nrun \(manifestFile)\nreport tiny\n```\n")
        #expect(throws: NotebookError(file: file, line: 1, message:
            "the output holds an output-region marker comment (fulcrum:output), which would end its region early")) {
            try session(file).run()
        }
    }
}
