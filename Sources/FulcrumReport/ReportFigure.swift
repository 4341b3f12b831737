/// One SVG figure of a report, written beside the Markdown (`notebooks-md/NAME/FILE.svg`) and linked
/// from it.
public struct ReportFigure: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        /// Per task: KPI over steps, a mean line and a seed band per policy.
        case kpi
        /// Per policy: the task weights over training, lines and the DTP paper's Fig. 3 tiles.
        case weights
        /// Σ_t w_t over training, a line per policy, against T.
        case weightSum = "weight-sum"
        /// Ordering sweeps: the Fig. 4 box plots of KPI by position in the hierarchy.
        case positions
        /// Option sweeps: final KPI against the option's value.
        case options
        /// Custom series a policy logged with `log(name, value)`.
        case series
        /// Policies with generations: the validation score and the remembered parameters per generation.
        case generations
    }

    public let kind: Kind
    /// The file name, e.g. "kpi-shape.svg".
    public let fileName: String
    /// What the figure shows, for the link's alt text and caption.
    public let title: String
    public let svg: String

    public init(kind: Kind, fileName: String, title: String, svg: String) {
        self.kind = kind
        self.fileName = fileName
        self.title = title
        self.svg = svg
    }

    /// `![title](path)`, with the title's brackets escaped and a path with spaces in angle brackets.
    public static func imageLink(title: String, path: String) -> String {
        let alt = title.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "[", with: "\\[").replacingOccurrences(of: "]", with: "\\]")
        let target = path.contains(where: { $0 == " " || $0 == "(" || $0 == ")" }) ? "<\(path)>" : path
        return "![\(alt)](\(target))"
    }
}
