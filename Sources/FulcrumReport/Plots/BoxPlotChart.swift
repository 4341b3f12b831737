/// Box plots grouped by category, e.g. the DTP paper's Fig. 4: per task (category), one box per position
/// in the hierarchy (member), side by side in the members' colours.
public struct BoxPlotChart: ChartPanel {
    public var title: String
    public var yLabel: String
    /// The x groups, e.g. task names.
    public var categories: [String]
    /// The boxes within each group, e.g. "position 1", …; they are also the legend entries.
    public var members: [(name: String, colour: String)]
    /// `[category][member]`; nil (or a missing index) draws nothing.
    public var boxes: [[BoxSummary?]]
    public var referenceY: Double?

    public init(title: String, yLabel: String, categories: [String], members: [(name: String, colour: String)],
                boxes: [[BoxSummary?]], referenceY: Double? = nil) {
        self.title = title
        self.yLabel = yLabel
        self.categories = categories
        self.members = members
        self.boxes = boxes
        self.referenceY = referenceY
    }

    public func height(forWidth width: Double) -> Double {
        CartesianLayout.height(forWidth: width, xAxisBand: xAxisBand, legendHeight: legend(forWidth: width).height)
    }

    public func render(in frame: PlotFrame) -> String {
        let legend = legend(forWidth: frame.width)
        let yTicks = yTicks
        let yDomain = yTicks.domain
        let layout = CartesianLayout(frame: frame, yTickLabels: yTicks.labels, hasYTitle: !yLabel.isEmpty,
                                     xAxisBand: xAxisBand, legendHeight: legend.height)
        let plot = layout.plot
        let y = LinearScale(domain: yDomain, start: plot.maxY, end: plot.y)
        let groupWidth = plot.width / Double(max(categories.count, 1))
        let slotWidth = groupWidth * 0.8 / Double(max(members.count, 1))
        let boxWidth = min(slotWidth * 0.75, 44)
        let showsCounts = slotWidth >= 22

        var svg = "<g class=\"box-plot\">" + Axes.title(title, in: frame)
        svg += Axes.yAxis(yTicks, scale: y, plot: plot, title: yLabel, titleX: layout.yTitleX) + Axes.bottomLine(plot)
        svg += Axes.reference(referenceY, scale: y, plot: plot)
        for (categoryIndex, category) in categories.enumerated() {
            let groupLeft = plot.x + Double(categoryIndex) * groupWidth
            let label = TextWidth.truncated(category, toFit: groupWidth - 4, fontSize: 11)
            svg += "<text class=\"category\" x=\"\(svg: groupLeft + groupWidth / 2)\" y=\"\(svg: plot.maxY + (showsCounts ? 28 : 16))\" "
                + "text-anchor=\"middle\" font-size=\"11\" fill=\"#222\">\(xml: label)</text>"
            for (memberIndex, member) in members.enumerated() {
                guard let box = box(categoryIndex, memberIndex), box.isFinite else { continue }
                let centre = groupLeft + groupWidth * 0.1 + (Double(memberIndex) + 0.5) * slotWidth
                svg += drawing(of: box, category: category, member: member, centre: centre, width: boxWidth, y: y)
                if showsCounts {
                    svg += "<text class=\"count\" x=\"\(svg: centre)\" y=\"\(svg: plot.maxY + 13)\" text-anchor=\"middle\" "
                        + "font-size=\"9\" fill=\"#777\">n=\(box.count)</text>"
                }
            }
        }
        if !boxes.joined().contains(where: { $0?.isFinite == true }) { svg += Axes.noData(plot) }
        return svg + legend.render(x: layout.legendX, y: layout.legendY) + "</g>"
    }

    private var xAxisBand: Double { 36 }

    private func legend(forWidth width: Double) -> Legend {
        Legend(entries: members.map { LegendEntry(name: $0.name, swatch: .box(colour: $0.colour)) },
               width: CartesianLayout.legendWidth(forWidth: width))
    }

    private func box(_ category: Int, _ member: Int) -> BoxSummary? {
        guard category < boxes.count, member < boxes[category].count else { return nil }
        return boxes[category][member]
    }

    /// All whiskers and the reference line, widened to whole ticks; 0…1 when there is nothing to draw.
    private var yTicks: NiceTicks {
        let drawn = boxes.joined().compactMap { $0 }.filter(\.isFinite)
        var values = drawn.flatMap { [$0.minimum, $0.maximum] }
        if let referenceY, referenceY.isFinite, !values.isEmpty { values.append(referenceY) }
        return NiceTicks(fitting: values.isEmpty ? 0...1 : values.min()!...values.max()!)
    }

    /// Whiskers from minimum to maximum with caps, the Q1–Q3 box, and a dark median line that reads on any
    /// member colour; hovering shows the numbers.
    private func drawing(of box: BoxSummary, category: String, member: (name: String, colour: String),
                         centre: Double, width: Double, y: LinearScale) -> String {
        let half = width / 2
        let cap = width / 4
        let (top, bottom) = (y(box.upperQuartile), y(box.lowerQuartile))
        let numbers = "median \(SVGText.significant(box.median)), Q1 \(SVGText.significant(box.lowerQuartile)), "
            + "Q3 \(SVGText.significant(box.upperQuartile)), min \(SVGText.significant(box.minimum)), "
            + "max \(SVGText.significant(box.maximum)), n=\(box.count)"
        return "<g class=\"box\" data-category=\"\(xml: category)\" data-member=\"\(xml: member.name)\" "
            + "stroke=\"\(xml: member.colour)\" stroke-width=\"1.3\">"
            + "<title>\(xml: member.name), \(xml: category): \(numbers)</title>"
            + "<path d=\"M\(svg: centre) \(svg: y(box.maximum))V\(svg: top)M\(svg: centre) \(svg: bottom)V\(svg: y(box.minimum))"
            + "M\(svg: centre - cap) \(svg: y(box.maximum))H\(svg: centre + cap)"
            + "M\(svg: centre - cap) \(svg: y(box.minimum))H\(svg: centre + cap)\"/>"
            + "<rect x=\"\(svg: centre - half)\" y=\"\(svg: top)\" width=\"\(svg: width)\" height=\"\(svg: max(bottom - top, 0))\" "
            + "fill=\"\(xml: member.colour)\" fill-opacity=\"0.3\"/>"
            + "<line x1=\"\(svg: centre - half)\" y1=\"\(svg: y(box.median))\" x2=\"\(svg: centre + half)\" "
            + "y2=\"\(svg: y(box.median))\" stroke=\"#222\" stroke-width=\"2\"/></g>"
    }
}
