import Foundation

/// Text and numbers as they go into the SVG. Everything user-supplied passes `escaped` so task and policy
/// names cannot break the XML; every number passes `number` so the same chart gives the same bytes and
/// never the text "nan" or "inf".
enum SVGText {
    /// The text with XML's special characters escaped and the control characters XML 1.0 forbids dropped.
    static func escaped(_ text: String) -> String {
        var out = ""
        out.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out += " "
            default:
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// `value` rounded to `decimals` places without trailing zeros or a minus on zero: "12.5", "3", "-0.25".
    /// Non-finite values give "0": callers skip them, this only guarantees no "nan" reaches the document.
    static func number(_ value: Double, decimals: Int) -> String {
        guard value.isFinite else { return "0" }
        let decimals = max(0, min(decimals, 12))
        let scaled = (value * pow(10, Double(decimals))).rounded()
        guard abs(scaled) < 1e15 else { return String(format: "%.6g", value) }
        var digits = String(Int64(abs(scaled)))
        if decimals > 0 {
            if digits.count <= decimals {
                digits = String(repeating: "0", count: decimals - digits.count + 1) + digits
            }
            let point = digits.index(digits.endIndex, offsetBy: -decimals)
            var fraction = digits[point...]
            while fraction.last == "0" { fraction.removeLast() }
            digits = String(digits[..<point]) + (fraction.isEmpty ? "" : "." + fraction)
        }
        return (scaled < 0 ? "-" : "") + digits
    }

    /// `value` to about `digits` significant digits, for tooltips: "0.412", "1250", "0.00000351".
    static func significant(_ value: Double, digits: Int = 3) -> String {
        guard value.isFinite, value != 0 else { return number(value, decimals: 0) }
        let magnitude = Int(log10(abs(value)).rounded(.down))
        return number(value, decimals: digits - 1 - magnitude)
    }
}

extension DefaultStringInterpolation {
    /// An SVG coordinate or length, to 0.1 user unit (finer than a pixel at figure sizes). Values far off the
    /// canvas are clamped: they are clipped anyway, and this keeps the number short.
    mutating func appendInterpolation(svg value: Double) {
        appendLiteral(SVGText.number(min(max(value, -1e6), 1e6), decimals: 1))
    }

    /// User text made safe for XML content and attribute values.
    mutating func appendInterpolation(xml text: String) {
        appendLiteral(SVGText.escaped(text))
    }
}
