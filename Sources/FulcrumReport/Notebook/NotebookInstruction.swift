import ArgumentParser

/// One command of a ```` ```fulcrum ```` block, parsed by the CLI's argument parser. Words are
/// separated by spaces (no quoting); an option's value follows it or an `=`. Paths are relative to
/// the working directory, as for `fulcrum run`.
public enum NotebookInstruction: Sendable, Equatable {
    /// `run MANIFEST [--quick] [--as NAME] [--policies A,B,…] [--baseline NAME]`: `fulcrum run`'s form options.
    case run(Run)
    /// `report EXPERIMENT [--table | --figures KIND,…]`
    case report(Report)

    public struct Run: Sendable, Equatable {
        public var manifest: String
        public var form: Form

        /// What `ManifestFormArguments` parsed, as a value.
        public struct Form: Sendable, Equatable {
            public var quick = false
            public var name: String?
            public var policies: [String]?
            public var baseline: String?
        }
    }

    public struct Report: Sendable, Equatable {
        public enum Form: Sendable, Equatable {
            /// The whole report, its headings two levels down.
            case full
            /// The comparison table only.
            case table
            /// The figures of these kinds, as files beside the notebook and image links.
            case figures([ReportFigure.Kind])
        }

        public var experiment: String
        public var form: Form
    }

    static let runUsage = "run MANIFEST [--quick] [--as NAME] [--policies A,B,…] [--baseline NAME]"
    static let reportUsage = "report EXPERIMENT [--table | --figures KIND,…]"

    /// The instruction `command` holds; a `NotebookError` at its line says what is wrong and what is accepted.
    public static func parse(_ command: NotebookBlock.Command, file: String) throws -> NotebookInstruction {
        var words = command.text.split(whereSeparator: \.isWhitespace).map(String.init)
        let verb = words.isEmpty ? "" : words.removeFirst()
        func fail(_ message: String) -> NotebookError { NotebookError(file: file, line: command.line, message: message) }
        do {
            switch verb {
            case "run":
                let run = try RunArguments.parse(words)
                return .run(Run(manifest: run.manifest, form: Run.Form(quick: run.form.quick, name: run.form.experimentName,
                                                                       policies: run.form.keptPolicies, baseline: run.form.baseline)))
            case "report":
                let report = try ReportArguments.parse(words)
                return .report(Report(experiment: report.experiment, form: try report.form()))
            default:
                throw fail("unknown command '\(verb)'; a fulcrum block takes: \(runUsage); \(reportUsage)")
            }
        } catch let error as NotebookError {
            throw error
        } catch {
            let (message, usage) = verb == "run" ? (RunArguments.message(for: error), runUsage) : (ReportArguments.message(for: error), reportUsage)
            let sentence = message.hasSuffix(".") || message.hasSuffix("?") ? message : message + "."
            throw fail("\(verb): \(sentence) Usage: \(usage)")
        }
    }

    private struct RunArguments: ParsableArguments {
        @Argument var manifest: String
        @OptionGroup var form: ManifestFormArguments
    }

    private struct ReportArguments: ParsableArguments {
        @Argument var experiment: String
        @Flag var table = false
        @Option var figures: String?

        func validate() throws {
            if table, figures != nil { throw ValidationError("--table or --figures, not both") }
            _ = try form()
        }

        func form() throws -> Report.Form {
            if table { return .table }
            guard let figures else { return .full }
            let kinds = figures.split(separator: ",").map(String.init)
            guard !kinds.isEmpty else { throw ValidationError("--figures needs at least one kind") }
            return .figures(try kinds.map { kind in
                guard let known = ReportFigure.Kind(rawValue: kind) else {
                    throw ValidationError("unknown figure kind '\(kind)'; kinds: \(ReportFigure.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return known
            })
        }
    }
}

extension NotebookInstruction.Run {
    /// The form as `ManifestFormArguments`, to load the manifest with.
    var formArguments: ManifestFormArguments {
        var arguments = ManifestFormArguments()
        arguments.quick = form.quick
        arguments.experimentName = form.name
        arguments.policies = form.policies?.joined(separator: ",")
        arguments.baseline = form.baseline
        return arguments
    }
}
