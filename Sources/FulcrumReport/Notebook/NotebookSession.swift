import Foundation
import FulcrumExperiment

/// `fulcrum notebook FILE.md`: saves the inline policies beside the notebook, then runs each
/// ```` ```fulcrum ```` block whose inputs changed since its output was written (`NotebookInputs`)
/// and rewrites its output region. It stops at the first failing block, with the error written in
/// that block's region; the file is written after each block, only when its bytes change, so a
/// second pass over an unchanged notebook writes nothing and trains nothing.
public final class NotebookSession {
    public let path: String
    public let storePath: String
    /// Run every block, whatever its recorded hash (runs finished in the store are still skipped).
    public var force = false
    /// Runs trained at once by `run` commands; nil: the cores ÷ the manifest's train.threads.
    public var jobs: Int?
    /// The progress display of the sweeps `run` commands train; nil: none.
    public var makeObserver: (() -> any SweepObserver)?

    let paths: NotebookPaths
    /// The inline policies' files, by name: what `run --policies` may add to a manifest.
    private(set) var inlinePolicies: [String: String] = [:]
    private var openedStore: RunStore?

    public init(path: String, storePath: String = RunStore.defaultPath) {
        self.path = path
        self.storePath = storePath
        paths = NotebookPaths(notebook: path)
    }

    /// Runs the notebook; `onBlock` hears of each block as it is done. Throws the first block's
    /// error (a `NotebookError` naming the file and line) after writing it into the notebook.
    @discardableResult
    public func run(onBlock: (NotebookBlockOutcome) -> Void = { _ in }) throws -> [NotebookBlockOutcome] {
        let document = try NotebookDocument(contentsOf: path)
        try saveInlinePolicies(document.inlinePolicies)
        var outcomes: [NotebookBlockOutcome] = []
        for index in document.blocks.indices {
            // Read afresh: earlier blocks' regions (and any edit made meanwhile) are kept.
            let block = try NotebookDocument(contentsOf: path).blocks[index]
            var status = NotebookBlockOutcome.Status.ran, failure: NotebookError?
            do {
                if let (hash, output) = try freshOutput(of: block) {
                    try writeOutput(of: block, hash: hash, output: output)
                } else {
                    status = .upToDate
                }
            } catch {
                let located = error as? NotebookError ?? NotebookError(file: path, line: block.line, message: "\(error)")
                // The line, not the file: the region is in the file, and its path depends on where it runs from.
                try writeOutput(of: block, hash: nil, output: OutputRegion.errorLines(located.line.map { "line \($0): \(located.message)" } ?? located.message))
                (status, failure) = (.failed, located)
            }
            outcomes.append(NotebookBlockOutcome(block: block.number, line: block.line, status: status))
            onBlock(outcomes[outcomes.count - 1])
            if let failure { throw failure }
        }
        return outcomes
    }

    /// The block's output and the hash of its inputs, once run; nil when the hash recorded in its
    /// region is still that of its inputs (unless forced).
    private func freshOutput(of block: NotebookBlock) throws -> (hash: String, output: [String])? {
        let commands = try block.commands.map { command in
            (command, try located(command) { try prepare(try NotebookInstruction.parse(command, file: path)) })
        }
        if !force, try fingerprint(block, commands.map(\.1)) == block.recordedHash { return nil }
        var output: [String] = []
        for (command, instruction) in commands {
            let lines = try located(command) { try execute(instruction) }
            output += (output.isEmpty || lines.isEmpty ? [] : [""]) + lines
        }
        if OutputRegion.containsMarker(output) {
            throw NotebookError(file: path, line: block.line, message: "the output holds an output-region marker comment (fulcrum:output), which would end its region early")
        }
        // Taken after running: the runs a `run` trained are part of its inputs from now on.
        return (try fingerprint(block, commands.map(\.1)), output)
    }

    /// Writes `output` into `block`'s region of the file as it is now, atomically and only when the
    /// bytes change.
    private func writeOutput(of block: NotebookBlock, hash: String?, output: [String]) throws {
        let document = try NotebookDocument(contentsOf: path)
        guard document.blocks.indices.contains(block.number - 1), document.blocks[block.number - 1].commands == block.commands else {
            throw NotebookError(file: path, line: block.line, message: "the notebook changed while this block ran; run it again")
        }
        let bytes = document.replacingOutput(of: document.blocks[block.number - 1], hash: hash, output: output)
        if bytes != document.bytes { try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic) }
    }

    /// Writes each inline policy to its file beside the notebook, unless the file already holds it.
    private func saveInlinePolicies(_ policies: [InlinePolicy]) throws {
        for policy in policies {
            let file = paths.policyFile(policy.name)
            if FileManager.default.contents(atPath: file).map({ [UInt8]($0) }) == policy.source { continue }
            try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(policy.source).write(to: URL(fileURLWithPath: file), options: .atomic)
        }
        inlinePolicies = Dictionary(uniqueKeysWithValues: policies.map { ($0.name, paths.policyFile($0.name)) })
    }

    /// `body`'s errors, placed at `command`'s line.
    private func located<Value>(_ command: NotebookBlock.Command, _ body: () throws -> Value) throws -> Value {
        do { return try body() } catch let error as NotebookError { throw error } catch {
            throw NotebookError(file: path, line: command.line, message: "\(error)")
        }
    }

    /// The hash of the block's inputs, as its output marker records it.
    private func fingerprint(_ block: NotebookBlock, _ prepared: [PreparedInstruction]) throws -> String {
        var inputs = NotebookInputs()
        inputs.add("commands", block.commands.map(\.text).joined(separator: "\n"))
        for instruction in prepared {
            switch instruction {
            case let .run(runner):
                inputs.addFile(runner.manifest.file)
                for policy in runner.manifest.policies { inputs.addFile(policy.script) }
                try inputs.addPlannedRuns(runner)
            case let .report(report):
                try inputs.addExperiment(named: report.experiment, in: try existingStore())
            }
        }
        return inputs.hash
    }

    /// The run store, created if needed: for `run`.
    func writableStore() throws -> RunStore {
        if let openedStore { return openedStore }
        let store = try RunStore(path: storePath)
        openedStore = store
        return store
    }

    /// The run store if there is one: a `report` does not create it.
    func existingStore() throws -> RunStore? {
        guard openedStore == nil, FileManager.default.fileExists(atPath: storePath) else { return openedStore }
        openedStore = try RunStore.existing(at: storePath)
        return openedStore
    }
}

/// What happened to one block.
public struct NotebookBlockOutcome: Sendable, Equatable, CustomStringConvertible {
    public enum Status: String, Sendable, Equatable {
        case upToDate = "up to date"
        case ran
        case failed
    }

    public let block: Int
    /// 1-based line of the block's opening fence.
    public let line: Int
    public let status: Status

    /// "block 2 (line 40): up to date".
    public var description: String { "block \(block) (line \(line)): \(status.rawValue)" }
}
