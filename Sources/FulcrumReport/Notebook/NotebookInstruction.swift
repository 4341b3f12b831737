/// One command of a ```` ```fulcrum ```` block, parsed. Words are separated by spaces (no
/// quoting); an option's value follows it or an `=`. Paths are relative to the working directory,
/// as for `fulcrum run`.
public enum NotebookInstruction: Sendable, Equatable {
    /// `run MANIFEST [--quick] [--as NAME] [--policies A,B,…] [--baseline NAME]`
    case run(Run)
    /// `report EXPERIMENT [--table | --figures KIND,…]`
    case report(Report)

    public struct Run: Sendable, Equatable {
        public var manifest: String
        public var quick = false
        /// `--as`: the experiment's name (then `--quick` makes it NAME-quick).
        public var name: String?
        public var policies: [String]?
        public var baseline: String?
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

    /// The instruction `command` holds; a `NotebookError` at its line says what is accepted.
    public static func parse(_ command: NotebookBlock.Command, file: String) throws -> NotebookInstruction {
        let fail = { (message: String) in NotebookError(file: file, line: command.line, message: message) }
        var words = command.text.split(whereSeparator: \.isWhitespace).map(String.init)
        let verb = words.isEmpty ? "" : words.removeFirst()
        var positional: [String] = [], options: [String: String] = [:]
        let (flags, valued): ([String], [String]) = switch verb {
        case "run": (["--quick"], ["--as", "--policies", "--baseline"])
        case "report": (["--table"], ["--figures"])
        default: throw fail("unknown command '\(verb)'; a fulcrum block takes: \(runUsage); \(reportUsage)")
        }
        let usage = verb == "run" ? runUsage : reportUsage
        while !words.isEmpty {
            let word = words.removeFirst()
            guard word.hasPrefix("-") else { positional.append(word); continue }
            let parts = word.split(separator: "=", maxSplits: 1).map(String.init)
            let name = parts[0]
            guard options[name] == nil else { throw fail("\(name) is given twice") }
            if flags.contains(name) {
                guard parts.count == 1 else { throw fail("\(name) takes no value") }
                options[name] = ""
            } else if valued.contains(name) {
                let value = parts.count == 2 ? parts[1] : (words.first.map { $0.hasPrefix("-") } == false ? words.removeFirst() : "")
                guard !value.isEmpty else { throw fail("\(name) needs a value; usage: \(usage)") }
                options[name] = value
            } else {
                throw fail("unknown option '\(name)' of \(verb); usage: \(usage)")
            }
        }
        guard positional.count == 1 else {
            let what = verb == "run" ? "one manifest" : "one experiment name"
            throw fail("\(verb) takes \(what), got \(positional.isEmpty ? "none" : positional.map { "'\($0)'" }.joined(separator: ", ")); usage: \(usage)")
        }
        let list = { (text: String) in text.split(separator: ",").map(String.init) }

        if verb == "run" {
            if options["--as"] == nil, let option = ["--policies", "--baseline"].first(where: { options[$0] != nil }) {
                throw fail("\(option) needs --as NAME: a manifest with other policies or another baseline is an experiment of its own")
            }
            return .run(Run(manifest: positional[0], quick: options["--quick"] != nil, name: options["--as"],
                            policies: options["--policies"].map(list), baseline: options["--baseline"]))
        }
        if options["--table"] != nil, options["--figures"] != nil { throw fail("report takes --table or --figures, not both") }
        var form = Report.Form.full
        if options["--table"] != nil { form = .table }
        if let kinds = options["--figures"] {
            guard !list(kinds).isEmpty else { throw fail("--figures needs a value; usage: \(usage)") }
            form = .figures(try list(kinds).map { kind in
                guard let known = ReportFigure.Kind(rawValue: kind) else {
                    throw fail("unknown figure kind '\(kind)'; kinds: \(ReportFigure.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return known
            })
        }
        return .report(Report(experiment: positional[0], form: form))
    }
}
