import Foundation

struct FigureSection {
    let comparison: Comparison

    /// The report's figures of `kinds` (all by default), in the order the report shows them.
    public func figures(_ kinds: [ReportFigure.Kind] = ReportFigure.Kind.allCases) -> [ReportFigure] {
        ReportFigure.Kind.allCases.filter(kinds.contains).flatMap { kind -> [ReportFigure] in
            switch kind {
            case .kpi: kpiFigures
            case .weights: weightFigures
            case .weightSum: weightSumFigures
            case .positions: positionFigures
            case .options: optionFigures
            case .series: loggedSeriesFigures
            case .generations: generationFigures
            }
        }
    }

    /// "## Figures": each figure linked from `directory` (relative to the report), grouped by kind.
    func lines(_ figures: [ReportFigure], directory: String) -> [String] {
        guard !figures.isEmpty else { return [] }
        var lines = ["## Figures", "",
                     "One colour per row of the comparison on every figure that compares rows (Paul Tol's colour-blind-safe "
                     + "palette; dashed once the colours run out); the weight figures colour tasks instead, each task the same "
                     + "colour in every one."]
        for kind in ReportFigure.Kind.allCases {
            let ofKind = figures.filter { $0.kind == kind }
            guard !ofKind.isEmpty else { continue }
            lines += ["", "### \(kind.heading)", "", kind.explanation, ""]
            // A paragraph each: images on consecutive lines would sit side by side. The notebook's link
            // form, so a report named with a space (or a title with brackets) still links its images.
            lines += ofKind.map { ReportFigure.imageLink(title: $0.title, path: "\(directory)/\($0.fileName)") }
                .joined(separator: "\n\n").components(separatedBy: "\n")
        }
        return lines
    }

    /// Writes `figures` into `directory`, removing the figures an earlier report left there that this
    /// one no longer has (files with the figures' name prefixes only).
    static func writeFigures(_ figures: [ReportFigure], into directory: String) throws {
        let manager = FileManager.default
        try manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let names = Set(figures.map(\.fileName))
        for file in (try? manager.contentsOfDirectory(atPath: directory)) ?? []
        where file.hasSuffix(".svg") && !names.contains(file) && ReportFigure.Kind.allCases.contains(where: { file.hasPrefix($0.rawValue + "-") }) {
            try manager.removeItem(atPath: "\(directory)/\(file)")
        }
        for figure in figures {
            let path = "\(directory)/\(figure.fileName)"
            if (try? String(contentsOfFile: path, encoding: .utf8)) != figure.svg {
                try figure.svg.write(toFile: path, atomically: true, encoding: .utf8)
            }
        }
    }

    /// The colour and dash of a row of the comparison, the same on every figure.
    func style(of group: RunGroup) -> (colour: String, dash: String?) {
        let index = comparison.groups.firstIndex(of: group) ?? 0
        return (Palette.colour(index), Palette.dash(index))
    }

    /// A file-name-safe form of a task, policy or series name.
    static func slug(_ name: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789")
        var slug = ""
        for character in name.lowercased() {
            if allowed.contains(character) { slug.append(character) }
            else if !slug.hasSuffix("-") { slug.append("-") }
        }
        let trimmed = slug.trimmingCharacters(in: CharacterSet(charactersIn: "-"))
        return trimmed.isEmpty ? "x" : trimmed
    }

    /// At most `limit` points, each the mean of a run of consecutive points: a 1 500-step series drawn
    /// at full resolution only makes the SVG heavy.
    static func binned(_ points: [(x: Double, y: Double)], limit: Int = 150) -> [(x: Double, y: Double)] {
        guard points.count > limit else { return points }
        let size = (points.count + limit - 1) / limit
        return stride(from: 0, to: points.count, by: size).map { start in
            let chunk = points[start..<min(start + size, points.count)]
            return (Statistics.mean(chunk.map(\.x)), Statistics.mean(chunk.map(\.y)))
        }
    }
}

extension ReportFigure.Kind {
    var heading: String {
        switch self {
        case .kpi: "Validation KPI over training"
        case .weights: "Task weights over training"
        case .weightSum: "Sum of the task weights over training"
        case .positions: "KPI by position in the task hierarchy"
        case .options: "KPI against the swept settings"
        case .series: "Series the policies logged"
        case .generations: "Generations of the policies that remember"
        }
    }

    var explanation: String {
        switch self {
        case .kpi: "Per task: the mean over seeds at each evaluation, the band spanning the seeds' lowest to highest value."
        case .weights: "Per policy: each task's weight (mean over seeds), then the DTP paper's Fig. 3 tiles — each task's share "
            + "w_t / Σ_u w_u of the weight per stretch of training, darker = higher priority."
        case .weightSum: "Per policy: Σ_t w_t, the sum of the weights the trainer applied (mean over seeds), against T, the "
            + "sum of uniform weights (dashed line). The sum scales every gradient step: where it drifts during training, "
            + "the policy's step size drifts with it, which Adam does not cancel (Findings, set-up checks)."
        case .positions: "The DTP paper's Fig. 4: each task's final KPI at each position over its mean KPI at position 1 "
            + "(box: quartiles and median; whiskers: range); above the line at 1 the task does better than first."
        case .options: "Per swept numeric setting and task: the final KPI (mean ± sample std over seeds) at each value."
        case .series: "What the policies recorded with `log(name, value)`: mean over seeds."
        case .generations: "Per policy with generations: each run's validation score (Δm of its final validation KPIs against "
            + "the baseline's mean, in %) by generation, the line through the generations' means; then each parameter the runs "
            + "remembered under `params`, its mean per generation with the range over the generation's runs."
        }
    }
}
