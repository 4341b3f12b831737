/// Per task, the validation KPI over training for every row of the comparison: a line through the
/// mean over seeds at each evaluation, and a band from the lowest seed to the highest.
extension FigureSection {
    var kpiFigures: [ReportFigure] {
        comparison.experiment.tasks.enumerated().compactMap { task, spec in
            let series = comparison.groups.compactMap { group -> PlotSeries? in
                var byStep: [Int: [Double]] = [:]
                for run in comparison.runs where group.contains(run) && run.status == .finished {
                    guard let position = Comparison.position(of: task, in: run) else { continue }
                    for evaluation in comparison.validationEvaluations[run.id] ?? [] where position < evaluation.kpi.count {
                        byStep[evaluation.step, default: []].append(100 * evaluation.kpi[position])
                    }
                }
                guard !byStep.isEmpty else { return nil }
                let points = byStep.keys.sorted().map { step -> PlotPoint in
                    let values = byStep[step]!
                    return values.count > 1
                        ? PlotPoint(x: Double(step), y: Statistics.mean(values), low: values.min(), high: values.max())
                        : PlotPoint(x: Double(step), y: values[0])
                }
                let style = style(of: group)
                return PlotSeries(name: group.label, colour: style.colour, dash: style.dash, points: points, style: .lineWithBand)
            }
            guard !series.isEmpty else { return nil }
            let title = "\(spec.name): validation \(spec.kpi) over training"
            let chart = LineChart(title: title, xLabel: "training step", yLabel: "\(spec.kpi) (%)", series: series)
            return ReportFigure(kind: .kpi, fileName: "kpi-\(Self.slug(spec.name)).svg", title: title, svg: Figure(chart).svg)
        }
    }
}
