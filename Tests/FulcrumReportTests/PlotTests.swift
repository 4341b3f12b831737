import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import FulcrumReport
import Testing

private let hostile = "a<b & \"c\" 'd'>"

private func ramp(_ count: Int, scale: Double = 1, offset: Double = 0) -> [PlotPoint] {
    (0..<count).map { index in
        let y = offset + scale * Double(index) / Double(max(count - 1, 1))
        return PlotPoint(x: Double(index) * 100, y: y, low: y - 0.05, high: y + 0.05)
    }
}

/// No non-finite number may reach the document as text, in any spelling.
private func expectNoNonFiniteText(_ svg: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let lowered = svg.lowercased()
    for word in ["nan", "inf"] {
        #expect(!lowered.contains(word), "'\(word)' in the SVG", sourceLocation: sourceLocation)
    }
}

/// The SVG chart library (Sources/FulcrumReport/Plots); `swift test --filter PlotTests` runs these suites.
@Suite("Plots") enum PlotTests {
    @Suite("Plots: palette")
    struct PaletteTests {
        @Test func theFirstNineColoursArePaulTolsMutedSchemeAndAllTenAreDistinct() {
            let nine = (0..<9).map(Palette.colour)
            #expect(nine == ["#CC6677", "#332288", "#DDCC77", "#117733", "#88CCEE", "#882255", "#44AA99", "#999933", "#AA4499"])
            #expect(Palette.colour(9) == "#777777")
            #expect(Set((0..<10).map(Palette.colour)).count == 10)
        }

        @Test func coloursWrapAndLaterCyclesAreDashed() {
            #expect(Palette.colour(10) == Palette.colour(0))
            #expect(Palette.colour(-1) == Palette.colour(9))
            #expect((0..<10).allSatisfy { Palette.dash($0) == nil })
            #expect((10..<20).allSatisfy { Palette.dash($0) == "6 3" })
            #expect(Palette.dash(20) == "2 2")
            // Twenty series: every (colour, dash) pair differs.
            let styles = (0..<20).map { "\(Palette.colour($0)) \(Palette.dash($0) ?? "solid")" }
            #expect(Set(styles).count == 20)
        }
    }

    @Suite("Plots: nice ticks")
    struct NiceTickTests {
        @Test func zeroToOneGoesInFifths() {
            let ticks = NiceTicks(covering: 0...1)
            #expect(ticks.values == [0, 0.2, 0.4, 0.6, 0.8, 1])
            #expect(ticks.labels == ["0", "0.2", "0.4", "0.6", "0.8", "1"])
        }

        @Test func stepsTo1500GoInFiveHundreds() {
            let ticks = NiceTicks(covering: 0...1500)
            #expect(ticks.values == [0, 500, 1000, 1500])
            #expect(ticks.labels == ["0", "500", "1000", "1500"])
        }

        @Test func ticksAreOneTwoOrFiveTimesAPowerOfTenApart() {
            for range in [0.0...1, 0...1500, -3...7, 0.013...0.0171, 0...20000, 1e-5...9e-5, -250...0] {
                let ticks = NiceTicks(covering: range)
                let power = pow(10, log10(ticks.step).rounded(.down))
                let unit = (ticks.step / power * 1e6).rounded() / 1e6
                #expect([1, 2, 5, 10].contains(unit), "step \(ticks.step) for \(range)")
                #expect((3...8).contains(ticks.values.count), "\(ticks.values) for \(range)")
                #expect(ticks.values.allSatisfy { range.contains($0) }, "\(ticks.values) outside \(range)")
            }
        }

        @Test func largeValuesUseThousandsAndLabelsDropTrailingZeros() {
            #expect(NiceTicks(covering: 0...20000).labels == ["0", "5k", "10k", "15k", "20k"])
            #expect(NiceTicks(covering: -0.5...0.5).labels == ["-0.4", "-0.2", "0", "0.2", "0.4"])
            #expect(NiceTicks(covering: 0...0.001).labels.last == "0.001")
        }

        @Test func flatAndNonFiniteRangesStillGetTicks() {
            #expect(!NiceTicks(covering: 3...3).values.isEmpty)
            #expect(!NiceTicks(covering: 0...0).values.isEmpty)
            #expect(NiceTicks(covering: -Double.infinity...0).values == NiceTicks(covering: 0...1).values)
        }

        @Test func dataDomainsWidenToWholeSteps() {
            #expect(NiceTicks.domain(covering: 0.03...0.97) == 0...1)
            #expect(NiceTicks.domain(covering: 12...1480) == 0...1600)   // step 200
            #expect(NiceTicks(fitting: 0.59...0.93).values == [0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95])
            #expect(NiceTicks.domain(covering: 5...5) == 4.4...5.6)   // 5 ± 10 %, widened to steps of 0.2
        }
    }

    @Suite("Plots: box summary")
    struct BoxSummaryTests {
        @Test func quartilesAreTypeSeven() throws {
            // Sorted: 1 1 2 3 4 5 6 9; h = 7q: Q1 at 1.75 → 1 + 0.75·1, median at 3.5 → 3 + 0.5·1, Q3 at 5.25 → 5 + 0.25·1.
            let box = try #require(BoxSummary(values: [3, 1, 4, 1, 5, 9, 2, 6]))
            #expect(box == BoxSummary(median: 3.5, lowerQuartile: 1.75, upperQuartile: 5.25, minimum: 1, maximum: 9, count: 8))
        }

        @Test func fourValuesInterpolateBetweenNeighbours() throws {
            let box = try #require(BoxSummary(values: [10, 20, 30, 40]))
            #expect(box.lowerQuartile == 17.5)
            #expect(box.median == 25)
            #expect(box.upperQuartile == 32.5)
        }

        @Test func oneValueIsItsOwnBoxAndNoValuesIsNone() throws {
            let box = try #require(BoxSummary(values: [0.7]))
            #expect([box.minimum, box.lowerQuartile, box.median, box.upperQuartile, box.maximum] == [0.7, 0.7, 0.7, 0.7, 0.7])
            #expect(BoxSummary(values: []) == nil)
        }

        @Test func nonFiniteValuesAreLeftOutAndNotCounted() throws {
            let box = try #require(BoxSummary(values: [.nan, 2, .infinity, 4]))
            #expect(box.count == 2)
            #expect(box.median == 3)
            #expect(BoxSummary(values: [.nan]) == nil)
        }
    }

    @Suite("Plots: line chart")
    struct LineChartTests {
        func chart(_ series: [PlotSeries], yRange: ClosedRange<Double>? = nil, referenceY: Double? = nil) -> LineChart {
            LineChart(title: "KPI over steps", xLabel: "step", yLabel: "accuracy", series: series, yRange: yRange,
                      referenceY: referenceY)
        }

        @Test func everySeriesAndLegendEntryIsDrawnInItsColour() {
            let styles: [PlotSeries.Style] = [.line, .lineWithBand, .pointsWithErrorBars, .lineWithErrorBars]
            let series = styles.enumerated().map { index, style in
                PlotSeries(name: "policy \(index)", colour: Palette.colour(index), points: ramp(6, offset: Double(index)), style: style)
            }
            let svg = ParsedSVG(Figure(chart(series)).svg)
            let drawn = svg.withClass("series")
            #expect(drawn.map { $0.attributes["data-series"] } == ["policy 0", "policy 1", "policy 2", "policy 3"])
            #expect(drawn.map { $0.attributes["stroke"] } == (0..<4).map { Palette.colour($0) })
            #expect(svg.withClass("legend-entry").count == 4)
            #expect(svg.withClass("band").count == 1)
            #expect(svg.withClass("error-bars").count == 2)
            #expect(svg.all("circle").filter { $0.attributes["fill"] == Palette.colour(2) }.count >= 6)
        }

        @Test func hostileSeriesAndAxisNamesStayWellFormedAndReadBackExactly() {
            let series = PlotSeries(name: hostile, colour: Palette.colour(0), points: ramp(3), style: .lineWithBand)
            let chart = LineChart(title: hostile, xLabel: hostile, yLabel: hostile, series: [series])
            let svg = ParsedSVG(Figure(chart).svg)
            #expect(svg.withClass("series").first?.attributes["data-series"] == hostile)
            #expect(svg.withClass("title").first?.text == hostile)
            #expect(svg.withClass("legend-entry").count == 1)
        }

        @Test func axesHaveNiceTicksAndTitles() {
            let series = PlotSeries(name: "equal", colour: Palette.colour(0), points: ramp(16))   // x 0…1500, y 0…1
            let svg = ParsedSVG(Figure(chart([series])).svg)
            let tickLabels = svg.withClass("tick").flatMap { svg.children(of: $0) }.filter { $0.name == "text" }.map(\.text)
            #expect(tickLabels == ["0", "0.2", "0.4", "0.6", "0.8", "1", "0", "500", "1000", "1500"])
            #expect(svg.withClass("axis-title").map(\.text) == ["accuracy", "step"])
        }

        @Test func nonFinitePointsLeaveAGapAndNoNanText() {
            let points = [PlotPoint(x: 0, y: 1, low: .nan, high: 2), PlotPoint(x: 1, y: .nan), PlotPoint(x: 2, y: 3, low: 2, high: .infinity),
                          PlotPoint(x: .infinity, y: 1), PlotPoint(x: 4, y: -.infinity), PlotPoint(x: 5, y: 2, low: 1, high: 3),
                          PlotPoint(x: 6, y: 2.5, low: 2, high: 3)]
            let series = [PlotSeries.Style.line, .lineWithBand, .pointsWithErrorBars, .lineWithErrorBars].map {
                PlotSeries(name: "s", colour: "#000000", points: points, style: $0)
            }
            let text = Figure(chart(series, referenceY: .nan)).svg
            _ = ParsedSVG(text)
            expectNoNonFiniteText(text)
            // The first line has three runs: (0), (2), (5, 6) — two isolated dots and one two-point path.
            let first = ParsedSVG(Figure(chart([series[0]])).svg)
            let seriesChildren = first.children(of: first.withClass("series")[0])
            #expect(seriesChildren.filter { $0.name == "circle" }.count == 2)
            #expect(seriesChildren.filter { $0.name == "path" }.count == 1)
        }

        @Test func degenerateInputsRenderWithoutNan() {
            let cases: [LineChart] = [
                chart([]),
                chart([PlotSeries(name: "empty", colour: "#000000", points: [])]),
                chart([PlotSeries(name: "one", colour: "#000000", points: [PlotPoint(x: 5, y: 0.5)])]),
                chart([PlotSeries(name: "flat", colour: "#000000", points: (0..<5).map { PlotPoint(x: Double($0), y: 2) })]),
                chart([PlotSeries(name: "zero", colour: "#000000", points: ramp(5).map { PlotPoint(x: 0, y: $0.y) })]),
                chart([PlotSeries(name: "no finite point", colour: "#000000", points: [PlotPoint(x: .nan, y: .nan)])]),
                chart(ramp(2).map { PlotSeries(name: "r", colour: "#000000", points: [$0]) }, yRange: 1...1),
                chart([PlotSeries(name: "range", colour: "#000000", points: ramp(3))], yRange: -Double.infinity...1),
            ]
            for chart in cases {
                let text = Figure(chart).svg
                let svg = ParsedSVG(text)
                expectNoNonFiniteText(text)
                #expect(svg.withClass("tick").count >= 2)
            }
        }

        @Test func aReferenceLineIsDrawnAndKeptInsideTheAxis() {
            let series = PlotSeries(name: "ratio", colour: Palette.colour(0), points: ramp(4, scale: 0.2, offset: 0.2))
            let svg = ParsedSVG(Figure(chart([series], referenceY: 1.0)).svg)
            #expect(svg.withClass("reference").count == 1)
            let yLabels = svg.all("g", class: "y-axis").flatMap { svg.children(of: $0) }.filter { $0.attributes["class"] == "tick" }
            #expect(yLabels.count >= 3)
            #expect(svg.withClass("tick").flatMap { svg.children(of: $0) }.contains { $0.text == "1" })
        }

        @Test func aLongLegendWrapsUnderThePlotInsideTheFigure() throws {
            let names = (0..<15).map { "dtp gamma=\($0 % 3) train.lr=0.00\($0 + 1) seed-averaged" }
            let series = names.enumerated().map { index, name in
                PlotSeries(name: name, colour: Palette.colour(index), dash: Palette.dash(index), points: ramp(5, offset: Double(index)))
            }
            let figure = Figure(chart(series))
            let svg = ParsedSVG(figure.svg)
            let entries = svg.withClass("legend-entry")
            #expect(entries.count == 15)
            let labels = entries.flatMap { svg.children(of: $0) }.filter { $0.name == "text" }
            let rows = Set(labels.compactMap { $0.attributes["y"] })
            #expect(rows.count > 1, "15 long names should wrap")
            let gridBottom = svg.all("line").filter { svg.elements[$0.parent ?? 0].attributes["class"] == "grid" }
                .compactMap { Double($0.attributes["y2"] ?? "") }.max() ?? 0
            let legendTop = labels.compactMap { Double($0.attributes["y"] ?? "") }.min() ?? 0
            #expect(legendTop > gridBottom + 30, "legend at \(legendTop) overlaps the plot ending at \(gridBottom)")
            let height = try #require(Double(svg.all("svg")[0].attributes["height"] ?? ""))
            #expect(labels.allSatisfy { (Double($0.attributes["y"] ?? "") ?? .infinity) < height })
            #expect(labels.allSatisfy { (Double($0.attributes["x"] ?? "") ?? .infinity) < figure.width })
        }
    }

    @Suite("Plots: box plot")
    struct BoxPlotTests {
        let members = [(name: "position 1", colour: Palette.colour(0)), (name: "position 2", colour: Palette.colour(1)),
                       (name: hostile, colour: Palette.colour(2))]

        func chart(categories: [String], boxes: [[BoxSummary?]], referenceY: Double? = nil) -> BoxPlotChart {
            BoxPlotChart(title: "KPI by position", yLabel: "KPI", categories: categories, members: members, boxes: boxes,
                         referenceY: referenceY)
        }

        @Test func eachPresentBoxIsDrawnInItsMembersColourWithALegendOfMembers() {
            let box = BoxSummary(values: [0.1, 0.4, 0.5, 0.6, 0.9])
            let boxes: [[BoxSummary?]] = [[box, box, nil], [box, nil, box]]   // second category's third box missing → nil
            let svg = ParsedSVG(Figure(chart(categories: ["shape", hostile], boxes: boxes)).svg)
            let drawn = svg.withClass("box")
            #expect(drawn.count == 4)
            #expect(drawn.map { $0.attributes["data-category"] ?? "" } == ["shape", "shape", hostile, hostile])
            #expect(drawn.map { $0.attributes["data-member"] ?? "" } == ["position 1", "position 2", "position 1", hostile])
            #expect(drawn.map { $0.attributes["stroke"] ?? "" } == [Palette.colour(0), Palette.colour(1), Palette.colour(0), Palette.colour(2)])
            #expect(svg.withClass("legend-entry").count == 3)
            #expect(svg.withClass("category").map(\.text) == ["shape", hostile])
            #expect(drawn.allSatisfy { svg.children(of: $0).contains { $0.name == "title" && $0.text.contains("n=5") } })
        }

        @Test func missingAndDegenerateBoxesRenderWithoutNan() {
            let flat = BoxSummary(values: [2, 2, 2])
            let nanBox = BoxSummary(median: .nan, lowerQuartile: 0, upperQuartile: 1, minimum: 0, maximum: 1, count: 1)
            for boxes: [[BoxSummary?]] in [[], [[nil]], [[flat]], [[flat, nanBox, flat, flat]]] {
                let text = Figure(chart(categories: ["a", "b"], boxes: boxes, referenceY: .infinity)).svg
                _ = ParsedSVG(text)
                expectNoNonFiniteText(text)
            }
            #expect(ParsedSVG(Figure(chart(categories: [], boxes: [])).svg).withClass("box").isEmpty)
        }
    }

    @Suite("Plots: tile chart")
    struct TileChartTests {
        func chart(rows: [String], values: [[Double]]) -> TileChart {
            TileChart(title: "Task weights (Fig. 3)", rowLabels: rows, xLabel: "step", columnStarts: [0, 250, 500, 750],
                      columnEnd: 1000, values: values, scaleLabel: "share of the weight")
        }

        @Test func oneTilePerRowAndColumnWithATooltipAndDarkerForMore() throws {
            let svg = ParsedSVG(Figure(chart(rows: ["shape", hostile], values: [[0, 0.25, 0.5, 1], [1, 0.75, 0.5, 0]])).svg)
            let tiles = svg.withClass("tile")
            #expect(tiles.count == 8)
            let tooltips = tiles.map { svg.children(of: $0).first { $0.name == "title" }?.text }
            #expect(tooltips[0] == "shape, from 0: 0")
            #expect(tooltips[7] == "\(hostile), from 750: 0")
            #expect(tiles[0].attributes["fill"] == "#FFFFFF")
            #expect(tiles[3].attributes["fill"] == "#332288")
            #expect(svg.withClass("colour-scale").count == 1)
            #expect(svg.all("text").contains { $0.text == "share of the weight" })
            let xTicks = svg.all("g", class: "x-axis").flatMap { svg.children(of: $0) }.filter { $0.attributes["class"] == "tick" }
            #expect(xTicks.count >= 3)
        }

        @Test func nanAndMissingValuesAreHatchedAndNeverWritten() {
            let text = Figure(chart(rows: ["a", "b"], values: [[.nan, 1, .infinity], [2]])).svg
            let svg = ParsedSVG(text)
            expectNoNonFiniteText(text.replacingOccurrences(of: "no data", with: ""))
            let hatched = svg.withClass("tile").filter { $0.attributes["fill"]?.hasPrefix("url(#") == true }
            #expect(hatched.count == 6)   // a: nan, inf, one missing; b: three missing
            #expect(svg.all("pattern").count == 1)
        }

        @Test func emptyAndFlatInputsRender() {
            for chart in [chart(rows: [], values: []), chart(rows: ["a"], values: [[0, 0, 0, 0]]),
                          TileChart(title: "t", rowLabels: ["a"], xLabel: "", columnStarts: [5], columnEnd: 5, values: [[1]],
                                    scaleLabel: "s")] {
                let text = Figure(chart).svg
                _ = ParsedSVG(text)
                expectNoNonFiniteText(text)
            }
        }
    }

    @Suite("Plots: figure")
    struct FigureTests {
        func panels() -> [any ChartPanel] {
            [LineChart(title: "a", xLabel: "step", yLabel: "y",
                       series: [PlotSeries(name: "s", colour: Palette.colour(0), points: ramp(4), style: .lineWithBand)]),
             LineChart(title: "b", xLabel: "step", yLabel: "y",
                       series: [PlotSeries(name: "s", colour: Palette.colour(1), points: ramp(4))]),
             TileChart(title: "c", rowLabels: ["x"], xLabel: "step", columnStarts: [0], columnEnd: 1, values: [[.nan]], scaleLabel: "s"),
             BoxPlotChart(title: "d", yLabel: "y", categories: ["x"], members: [("m", Palette.colour(0))],
                          boxes: [[BoxSummary(values: [1, 2, 3])]])]
        }

        @Test func aFigureIsAStandaloneSVGDocumentWithPanelsStacked() throws {
            let figure = Figure(panels: panels(), width: 640)
            let svg = ParsedSVG(figure.svg)
            let root = try #require(svg.elements.first)
            #expect(root.name == "svg")
            #expect(root.attributes["xmlns"] == "http://www.w3.org/2000/svg")
            #expect(root.attributes["width"] == "640")
            #expect(root.attributes["font-family"] == "sans-serif")
            let height = try #require(root.attributes["height"])
            #expect(root.attributes["viewBox"] == "0 0 640 \(height)")
            let expected = panels().map { $0.height(forWidth: 640) }.reduce(0, +)
            #expect(abs((Double(height) ?? 0) - expected) < 0.1)
            #expect(svg.elements[1].name == "rect" && svg.elements[1].attributes["fill"] == "#FFFFFF")
            #expect(svg.withClass("title").map(\.text) == ["a", "b", "c", "d"])
        }

        @Test func idsAreUniqueAcrossPanels() {
            let ids = ParsedSVG(Figure(panels: panels()).svg).elements.compactMap { $0.attributes["id"] }
            #expect(ids.count >= 4)
            #expect(Set(ids).count == ids.count)
        }

        @Test func theSameInputGivesTheSameBytes() {
            #expect(Figure(panels: panels()).svg == Figure(panels: panels()).svg)
        }
    }
}
