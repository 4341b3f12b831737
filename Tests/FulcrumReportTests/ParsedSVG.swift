import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// The elements of an SVG document in document order, with their attributes, text and parent; a
/// document that is not well-formed XML fails the test.
struct ParsedSVG {
    struct Element {
        let index: Int
        let name: String
        let attributes: [String: String]
        var text = ""
        let parent: Int?
    }

    let elements: [Element]
    let source: String

    init(_ svg: String, sourceLocation: SourceLocation = #_sourceLocation) {
        source = svg
        let collector = Collector()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = collector
        let parsed = parser.parse()
        #expect(parsed, "not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "?")", sourceLocation: sourceLocation)
        elements = collector.elements
    }

    func all(_ name: String, class className: String? = nil) -> [Element] {
        elements.filter { $0.name == name && (className == nil || $0.attributes["class"] == className) }
    }

    func withClass(_ className: String, _ name: String? = nil) -> [Element] {
        elements.filter { $0.attributes["class"] == className && (name == nil || $0.name == name) }
    }

    func children(of element: Element) -> [Element] { elements.filter { $0.parent == element.index } }

    /// Elements inside `element`, at any depth.
    func descendants(of element: Element) -> [Element] {
        elements.filter { candidate in
            var parent = candidate.parent
            while let index = parent {
                if index == element.index { return true }
                parent = elements[index].parent
            }
            return false
        }
    }

    /// The `data-series` names of the line series, in drawing order.
    var seriesNames: [String] { withClass("series", "g").compactMap { $0.attributes["data-series"] } }

    /// The points a path's `d` draws: one per move or line command.
    static func vertices(_ path: Element) -> Int {
        (path.attributes["d"] ?? "").filter { $0 == "M" || $0 == "L" }.count
    }

    private final class Collector: NSObject, XMLParserDelegate {
        var elements: [Element] = []
        var open: [Int] = []

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            elements.append(Element(index: elements.count, name: name, attributes: attributes, parent: open.last))
            open.append(elements.count - 1)
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            open.removeLast()
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if let current = open.last { elements[current].text += string }
        }
    }
}
