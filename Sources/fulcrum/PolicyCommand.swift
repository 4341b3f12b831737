import ArgumentParser
import Foundation
import FulcrumCore
import FulcrumExperiment
import FulcrumLua

struct PolicyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Write and check weighting policies without a training run.",
        subcommands: [Check.self, Replay.self, New.self])

    /// `--option key=value`, shared by `check` and `replay`: parsed and validated in one place.
    struct OptionOverrides: ParsableArguments {
        @Option(name: .customLong("option"), help: "Override an option: --option gamma=2 (repeatable).")
        var options: [String] = []

        func validate() throws {
            for option in options where PolicyCheck.parseOption(option) == nil {
                throw ValidationError("--option \(option): expected key=value")
            }
        }

        /// The overrides by option name (a repeated key: the last one).
        var values: [String: SettingValue] { Dictionary(options.compactMap(PolicyCheck.parseOption), uniquingKeysWith: { $1 }) }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a policy in the sandbox on generated signals and print its weights per step.")

        @Argument(help: "The policy file, e.g. policies/dtp.lua.")
        var file: String

        @Option(help: "Number of tasks.")
        var tasks = 4

        @Option(help: "Number of steps.")
        var steps = 10

        @OptionGroup var overrides: OptionOverrides

        @Option(help: "Seed of the generated signals and of random().")
        var seed: UInt64 = 1

        @Option(help: "A memory file (fulcrum export --memory) for a policy that remembers: its ctx.memory.")
        var memory: String?

        func validate() throws {
            guard tasks >= 1, steps >= 1 else { throw ValidationError("--tasks and --steps must be ≥ 1") }
        }

        func run() throws {
            let report = try PolicyCheck.check(file: file, tasks: tasks, steps: steps, options: overrides.values, seed: seed,
                                               memory: try memory.map(PolicyMemory.load(file:)) ?? PolicyMemory())
            let results = report.steps
            let header = (1...tasks).map { label in
                let text = "w\(label)"
                return String(repeating: " ", count: max(10 - text.count, 1)) + text
            }.joined()
            print(" step" + header)
            for result in results {
                let shared = result.weights.shared.map { String(format: "%10.4f", $0) }.joined()
                let heads = result.weights.weightsTheLosses ? ""
                    : "   heads:" + result.weights.heads.map { String(format: "%8.4f", $0) }.joined()
                print(String(format: "%5d", result.step) + shared + heads)
            }
            if let remembered = report.remembered { print("finish remembers: \(remembered.json)") }
            print("\(file): \(steps) steps on \(tasks) tasks, every answer valid weights (finite; ≥ 0 but for shared coefficients)")
        }
    }

    struct Replay: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a policy on the signals a run recorded (--run) or on a JSON-lines file (--signals).",
            discussion: "Prints JSON lines {\"step\": …, \"weights\": […]} with --json, else a table; with --run it also compares the weights with those the run applied.")

        @Argument(help: "The policy file.")
        var file: String

        @Option(name: .customLong("run"), help: "A run id from the store.")
        var runID: String?

        @Option(help: "A JSON-lines file: one object per step with the fields of s (first line may be a header {\"ctx\": {…}}).")
        var signals: String?

        @Option(help: ArgumentHelp("The policy's ctx for --signals: a JSON object or a file holding one, with any of total_steps, steps_per_epoch, seed, kinds, options (default: the file's last step, seed 1).",
                                   valueName: "json-or-file"))
        var ctx: String?

        @OptionGroup var overrides: OptionOverrides

        @Flag(help: "Print JSON lines.")
        var json = false

        @Option(help: "A memory file (fulcrum export --memory) for a policy that remembers: its ctx.memory (default: none).")
        var memory: String?

        @OptionGroup var storeOption: StoreOption

        func validate() throws {
            guard (runID == nil) != (signals == nil) else { throw ValidationError("give exactly one of --run and --signals") }
            if ctx != nil, runID != nil { throw ValidationError("--ctx goes with --signals: a stored run has its own ctx") }
        }

        func run() throws {
            let memory = try memory.map(PolicyMemory.load(file:)) ?? PolicyMemory()
            let steps = if let runID {
                try PolicyReplay.replay(file: file, options: overrides.values, run: runID, store: try RunStore.existing(at: storeOption.store),
                                        memory: memory)
            } else {
                try PolicyReplay.replay(file: file, options: overrides.values, signalsFile: signals!,
                                        context: try ctx.map(ReplayContext.load(argument:)) ?? ReplayContext(), memory: memory)
            }
            var largestDifference = 0.0
            for step in steps {
                if let applied = step.applied {
                    largestDifference = max(largestDifference, zip(applied, step.weights.shared).map { abs($0 - $1) }.max() ?? 0)
                }
                if json {
                    print("{\"step\":\(step.step),\"weights\":[\(step.weights.shared.map { String($0) }.joined(separator: ","))]}")
                } else {
                    print(String(format: "%5d", step.step) + step.weights.shared.map { String(format: "%10.4f", $0) }.joined())
                }
            }
            if runID != nil, !json {
                print("replayed \(steps.count) steps; largest |replayed − applied| weight difference: \(largestDifference)")
            }
        }
    }

    struct New: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write policies/NAME.lua from a documented template.")

        @Argument(help: "The policy's name (letters, digits, '_').")
        var name: String

        func run() throws {
            let path = try PolicyTemplate.write(name: name)
            print("wrote \(path); check it with: fulcrum policy check \(path)")
        }
    }
}
