/// The tile chart's single-hue colour scale: white at 0, Tol's indigo at the largest value. One hue keeps
/// "darker = more" true for colour-blind readers and in greyscale.
struct SequentialScale {
    static let darkest = (red: 0x33, green: 0x22, blue: 0x88)   // #332288
    static let fontSize = 10.0
    static let barWidth = 200.0
    static let barHeight = 10.0
    /// Height of the scale block: caption row, bar, tick labels.
    static let height = 40.0

    let maximum: Double

    /// 0…1 when there is no positive finite value, so the scale never divides by zero.
    init(values: [[Double]]) {
        let largest = values.joined().filter(\.isFinite).max() ?? 0
        maximum = largest > 0 ? largest : 1
    }

    /// The fill of `value`: its share of the maximum, clamped to 0…1, blended from white to the darkest
    /// colour. SVG gradients blend the same way, so the bar matches the tiles.
    func colour(_ value: Double) -> String {
        let share = min(max(value / maximum, 0), 1)
        let blend = { (dark: Int) in Int((255 + (Double(dark) - 255) * share).rounded()) }
        let (r, g, b) = (blend(Self.darkest.red), blend(Self.darkest.green), blend(Self.darkest.blue))
        return "#" + [r, g, b].map { hex($0) }.joined()
    }

    /// The caption, a gradient bar with ticks from 0 to the maximum, and a "no data" swatch when some tiles
    /// have none, with the block's top-left at (`x`, `y`).
    func render(x: Double, y: Double, caption: String, width: Double, gradientID: String, hatchID: String?) -> String {
        let captionText = TextWidth.truncated(caption, toFit: width, fontSize: 11)
        let barTop = y + 16
        let barWidth = min(Self.barWidth, max(width - 80, 40))
        var svg = "<g class=\"colour-scale\" font-size=\"\(svg: Self.fontSize)\" fill=\"#444\">"
        svg += "<defs><linearGradient id=\"\(xml: gradientID)\"><stop offset=\"0\" stop-color=\"#FFFFFF\"/>"
            + "<stop offset=\"1\" stop-color=\"\(colour(maximum))\"/></linearGradient></defs>"
        svg += "<text x=\"\(svg: x)\" y=\"\(svg: y + 10)\" font-size=\"11\" fill=\"#222\">\(xml: captionText)</text>"
        svg += "<rect x=\"\(svg: x)\" y=\"\(svg: barTop)\" width=\"\(svg: barWidth)\" height=\"\(svg: Self.barHeight)\" "
            + "fill=\"url(#\(xml: gradientID))\" stroke=\"#999\" stroke-width=\"0.5\"/>"
        let ticks = NiceTicks(covering: 0...maximum, targetCount: 4)
        let position = LinearScale(domain: 0...maximum, start: x, end: x + barWidth)
        for (value, label) in zip(ticks.values, ticks.labels) {
            let tickX = position(value)
            svg += "<g class=\"tick\"><line x1=\"\(svg: tickX)\" y1=\"\(svg: barTop + Self.barHeight)\" x2=\"\(svg: tickX)\" "
                + "y2=\"\(svg: barTop + Self.barHeight + 3)\" stroke=\"#444\"/><text x=\"\(svg: tickX)\" "
                + "y=\"\(svg: barTop + Self.barHeight + 13)\" text-anchor=\"middle\">\(xml: label)</text></g>"
        }
        if let hatchID {
            let swatchX = x + barWidth + 24
            svg += "<rect x=\"\(svg: swatchX)\" y=\"\(svg: barTop)\" width=\"14\" height=\"\(svg: Self.barHeight)\" "
                + "fill=\"url(#\(xml: hatchID))\" stroke=\"#999\" stroke-width=\"0.5\"/>"
                + "<text x=\"\(svg: swatchX + 18)\" y=\"\(svg: barTop + Self.barHeight / 2)\" dy=\"0.35em\">no data</text>"
        }
        return svg + "</g>"
    }

    private func hex(_ byte: Int) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[byte / 16], digits[byte % 16]])
    }
}
