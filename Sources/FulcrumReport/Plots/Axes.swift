/// The parts every panel with axes draws the same way: title, light grid, axis lines, ticks with labels,
/// and axis titles.
enum Axes {
    static let tickLength = 4.0

    /// The panel title, bold and centred over the panel.
    static func title(_ text: String, in frame: PlotFrame) -> String {
        guard !text.isEmpty else { return "" }
        let fitted = TextWidth.truncated(text, toFit: frame.width - 20, fontSize: 14)
        return "<text class=\"title\" x=\"\(svg: frame.midX)\" y=\"\(svg: frame.y + 20)\" text-anchor=\"middle\" "
            + "font-size=\"14\" font-weight=\"bold\" fill=\"#222\">\(xml: fitted)</text>"
    }

    /// Horizontal grid lines, left axis line, y ticks with labels, and the rotated y-axis title.
    static func yAxis(_ ticks: NiceTicks, scale: LinearScale, plot: PlotFrame, title: String, titleX: Double) -> String {
        var grid = "<g class=\"grid\" stroke=\"#e6e6e6\" stroke-width=\"1\">"
        var marks = "<g class=\"y-axis\" font-size=\"\(svg: CartesianLayout.tickFontSize)\" fill=\"#444\" text-anchor=\"end\">"
        for (value, label) in zip(ticks.values, ticks.labels) {
            let y = scale(value)
            grid += "<line x1=\"\(svg: plot.x)\" y1=\"\(svg: y)\" x2=\"\(svg: plot.maxX)\" y2=\"\(svg: y)\"/>"
            marks += "<g class=\"tick\"><line x1=\"\(svg: plot.x - tickLength)\" y1=\"\(svg: y)\" x2=\"\(svg: plot.x)\" "
                + "y2=\"\(svg: y)\" stroke=\"#444\"/><text x=\"\(svg: plot.x - tickLength - 3)\" y=\"\(svg: y)\" "
                + "dy=\"0.35em\">\(xml: label)</text></g>"
        }
        marks += "<line x1=\"\(svg: plot.x)\" y1=\"\(svg: plot.y)\" x2=\"\(svg: plot.x)\" y2=\"\(svg: plot.maxY)\" stroke=\"#444\"/>"
        return grid + "</g>" + marks + "</g>" + yTitle(title, x: titleX, plot: plot)
    }

    /// Vertical grid lines, bottom axis line, x ticks with labels, and the x-axis title under them.
    static func xAxis(_ ticks: NiceTicks, scale: LinearScale, plot: PlotFrame, title: String, grid drawsGrid: Bool = true)
        -> String {
        var grid = "<g class=\"grid\" stroke=\"#e6e6e6\" stroke-width=\"1\">"
        var marks = "<g class=\"x-axis\" font-size=\"\(svg: CartesianLayout.tickFontSize)\" fill=\"#444\" text-anchor=\"middle\">"
        for (value, label) in zip(ticks.values, ticks.labels) {
            let x = scale(value)
            grid += "<line x1=\"\(svg: x)\" y1=\"\(svg: plot.y)\" x2=\"\(svg: x)\" y2=\"\(svg: plot.maxY)\"/>"
            marks += "<g class=\"tick\"><line x1=\"\(svg: x)\" y1=\"\(svg: plot.maxY)\" x2=\"\(svg: x)\" "
                + "y2=\"\(svg: plot.maxY + tickLength)\" stroke=\"#444\"/><text x=\"\(svg: x)\" "
                + "y=\"\(svg: plot.maxY + tickLength + 11)\">\(xml: label)</text></g>"
        }
        marks += bottomLine(plot)
        return (drawsGrid ? grid + "</g>" : "") + marks + "</g>" + xTitle(title, plot: plot, below: tickLength + 28)
    }

    /// The x-axis line alone, for charts whose x positions are categories.
    static func bottomLine(_ plot: PlotFrame) -> String {
        "<line x1=\"\(svg: plot.x)\" y1=\"\(svg: plot.maxY)\" x2=\"\(svg: plot.maxX)\" y2=\"\(svg: plot.maxY)\" stroke=\"#444\"/>"
    }

    static func xTitle(_ title: String, plot: PlotFrame, below: Double) -> String {
        guard !title.isEmpty else { return "" }
        let fitted = TextWidth.truncated(title, toFit: plot.width, fontSize: 12)
        return "<text class=\"axis-title\" x=\"\(svg: plot.midX)\" y=\"\(svg: plot.maxY + below)\" text-anchor=\"middle\" "
            + "font-size=\"12\" fill=\"#222\">\(xml: fitted)</text>"
    }

    static func yTitle(_ title: String, x: Double, plot: PlotFrame) -> String {
        guard !title.isEmpty else { return "" }
        let fitted = TextWidth.truncated(title, toFit: plot.height, fontSize: 12)
        return "<text class=\"axis-title\" transform=\"translate(\(svg: x),\(svg: plot.midY)) rotate(-90)\" "
            + "text-anchor=\"middle\" dy=\"0.35em\" font-size=\"12\" fill=\"#222\">\(xml: fitted)</text>"
    }

    /// A dashed horizontal line at `value`, e.g. the loss ratio 1.0; nothing when it lies off the axis.
    static func reference(_ value: Double?, scale: LinearScale, plot: PlotFrame) -> String {
        guard let value, value.isFinite, scale.domain.contains(value) else { return "" }
        let y = scale(value)
        return "<line class=\"reference\" x1=\"\(svg: plot.x)\" y1=\"\(svg: y)\" x2=\"\(svg: plot.maxX)\" y2=\"\(svg: y)\" "
            + "stroke=\"#555\" stroke-width=\"1.2\" stroke-dasharray=\"5 4\"/>"
    }

    /// A clip rectangle around the plot, a few units larger so markers on its edge are drawn whole.
    static func clipPath(id: String, plot: PlotFrame) -> String {
        "<clipPath id=\"\(xml: id)\"><rect x=\"\(svg: plot.x - 5)\" y=\"\(svg: plot.y - 5)\" "
            + "width=\"\(svg: plot.width + 10)\" height=\"\(svg: plot.height + 10)\"/></clipPath>"
    }

    /// A grey message in the middle of an empty plot.
    static func noData(_ plot: PlotFrame) -> String {
        "<text class=\"no-data\" x=\"\(svg: plot.midX)\" y=\"\(svg: plot.midY)\" text-anchor=\"middle\" "
            + "fill=\"#888\" font-size=\"12\">no data</text>"
    }
}
