/// Policies with generations: the validation score of every run by generation, and each remembered
/// parameter's mean and range by generation.
extension FigureSection {
    var generationFigures: [ReportFigure] {
        Generations.of(comparison).flatMap { policy -> [ReportFigure] in
            var figures: [ReportFigure] = []
            let slug = Self.slug(policy.policy)
            let scored = policy.generations.filter { !$0.scores.isEmpty }
            if !scored.isEmpty, let baseline = comparison.experiment.baseline {
                let runs = PlotSeries(name: "runs", colour: Palette.colour(0), dash: nil,
                                      points: scored.flatMap { generation in generation.scores.map { PlotPoint(x: Double(generation.number), y: $0) } },
                                      style: .pointsWithErrorBars)
                let means = PlotSeries(name: "mean", colour: Palette.colour(1), dash: nil,
                                       points: scored.map { PlotPoint(x: Double($0.number), y: $0.scores.reduce(0, +) / Double($0.scores.count)) })
                let title = "\(policy.policy): validation score by generation"
                let chart = LineChart(title: title, xLabel: "generation", yLabel: "validation Δm vs \(baseline) (%)",
                                      series: [runs, means], referenceY: 0)
                figures.append(ReportFigure(kind: .generations, fileName: "generations-\(slug)-score.svg", title: title, svg: Figure(chart).svg))
            }
            let names = Array(Set(policy.generations.flatMap { $0.parameters.map(\.name) })).sorted()
            let series = names.enumerated().map { index, name in
                PlotSeries(name: name, colour: Palette.colour(index), dash: Palette.dash(index),
                           points: policy.generations.compactMap { generation -> PlotPoint? in
                               guard let values = generation.parameters.first(where: { $0.name == name })?.values, !values.isEmpty else { return nil }
                               return PlotPoint(x: Double(generation.number), y: values.reduce(0, +) / Double(values.count),
                                                low: values.min(), high: values.max())
                           }, style: .lineWithErrorBars)
            }
            if !series.isEmpty {
                let title = "\(policy.policy): remembered parameters by generation"
                let chart = LineChart(title: title, xLabel: "generation", yLabel: "value (mean; bars: range over runs)", series: series)
                figures.append(ReportFigure(kind: .generations, fileName: "generations-\(slug)-params.svg", title: title, svg: Figure(chart).svg))
            }
            return figures
        }
    }
}
