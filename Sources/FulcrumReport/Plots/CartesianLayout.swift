/// Where a panel with x and y axes puts its parts, top to bottom: title; plot area, with y tick labels
/// and the y-axis title to its left; x tick labels and the x-axis title; legend. Shared by the line and
/// box charts, so their panels line up when stacked in one figure.
struct CartesianLayout {
    static let padding = 10.0
    static let titleBand = 30.0
    static let rightMargin = 16.0
    static let legendGap = 8.0
    static let tickFontSize = 10.0

    /// The data rectangle.
    let plot: PlotFrame
    /// Where the legend's top-left corner goes; its width is `legendWidth(forWidth:)`.
    let legendX: Double
    let legendY: Double
    /// Where the y-axis title is centred horizontally.
    let yTitleX: Double

    /// The legend's width in a panel `frameWidth` wide; `height(forWidth:)` and `render(in:)` must agree.
    static func legendWidth(forWidth frameWidth: Double) -> Double {
        frameWidth - 2 * padding
    }

    /// Wide panels get taller plots, within bounds that keep a single panel readable on a page.
    static func plotHeight(forWidth width: Double) -> Double {
        min(max(width * 0.4, 160), 300)
    }

    static func height(forWidth width: Double, xAxisBand: Double, legendHeight: Double) -> Double {
        titleBand + plotHeight(forWidth: width) + xAxisBand + legendBlock(legendHeight) + padding
    }

    /// - Parameters:
    ///   - yTickLabels: decide the left margin, so long labels ("0.0005") never run into the axis title.
    ///   - xAxisBand: the height under the plot for x tick labels and the x-axis title.
    init(frame: PlotFrame, yTickLabels: [String], hasYTitle: Bool, xAxisBand: Double, legendHeight: Double) {
        let labelWidth = yTickLabels.map { TextWidth.of($0, fontSize: Self.tickFontSize) }.max() ?? 0
        let left = frame.x + Self.padding + (hasYTitle ? 18 : 0) + labelWidth + 8
        let right = frame.maxX - Self.rightMargin
        let top = frame.y + Self.titleBand
        let bottom = frame.maxY - Self.padding - Self.legendBlock(legendHeight) - xAxisBand
        plot = PlotFrame(x: left, y: top, width: max(right - left, 20), height: max(bottom - top, 40))
        legendX = frame.x + Self.padding
        legendY = plot.maxY + xAxisBand + Self.legendGap
        yTitleX = frame.x + Self.padding + 7
    }

    private static func legendBlock(_ legendHeight: Double) -> Double {
        legendHeight > 0 ? legendGap + legendHeight : 0
    }
}
