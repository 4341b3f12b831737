/// The custom series policies recorded with `log(name, value)`: one figure per name, a line per row
/// of the comparison through the mean over seeds at each step.
extension FigureSection {
    var loggedSeriesFigures: [ReportFigure] {
        // name → group → step → values over seeds
        var logged: [String: [RunGroup: [Int: [Double]]]] = [:], names: [String] = []
        for group in comparison.groups where !group.isSingleTask {
            for run in comparison.runs where group.contains(run) && run.status == .finished {
                for entry in comparison.data.policyLogs[run.id] ?? [] where entry.value.isFinite {
                    if logged[entry.name] == nil { names.append(entry.name) }
                    logged[entry.name, default: [:]][group, default: [:]][entry.step, default: []].append(entry.value)
                }
            }
        }
        return names.sorted().map { name in
            let series = comparison.groups.compactMap { group -> PlotSeries? in
                guard let byStep = logged[name]?[group] else { return nil }
                let points = Self.binned(byStep.keys.sorted().map { (Double($0), Statistics.mean(byStep[$0]!)) })
                let style = style(of: group)
                return PlotSeries(name: group.label, colour: style.colour, dash: style.dash,
                                  points: points.map { PlotPoint(x: $0.x, y: $0.y) })
            }
            let chart = LineChart(title: "logged series \(name)", xLabel: "training step", yLabel: name, series: series)
            return ReportFigure(kind: .series, fileName: "series-\(Self.slug(name)).svg", title: "logged series \(name)",
                                svg: Figure(chart).svg)
        }
    }
}
