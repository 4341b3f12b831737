/// Σ_t w_t over training, one line per policy row, against T (the sum of uniform weights): which
/// policies train at uniform weighting's step size, and when they leave it.
extension FigureSection {
    var weightSumFigures: [ReportFigure] {
        let series = comparison.groups.filter { !$0.isSingleTask }.compactMap { group -> PlotSeries? in
            let curve = comparison.weightSumCurve(group)
            guard !curve.isEmpty else { return nil }
            let style = style(of: group)
            return PlotSeries(name: group.label, colour: style.colour, dash: style.dash,
                              points: Self.binned(curve.map { (Double($0.step), $0.sum) }).map { PlotPoint(x: $0.x, y: $0.y) })
        }
        guard !series.isEmpty else { return [] }
        let title = "Σw: the sum of the task weights over training"
        let chart = LineChart(title: title, xLabel: "training step", yLabel: "Σ_t w_t (dashed: T = \(comparison.experiment.tasks.count))",
                              series: series, referenceY: Double(comparison.experiment.tasks.count))
        return [ReportFigure(kind: .weightSum, fileName: "weight-sum-over-training.svg", title: title, svg: Figure(chart).svg)]
    }
}
