import CZlib
import Foundation

/// An IDX file, the format of MNIST and Fashion-MNIST (LeCun et al.): a 4-byte magic — 0x00 0x00, an
/// element type, the number of dimensions — then each dimension's size as a big-endian UInt32, then
/// the elements in row-major order. Read gzip'd (recognised by its first bytes) or plain; only
/// unsigned-byte elements (type 0x08) are supported.
public struct IDXFile: Sendable, Equatable {
    /// Dimension sizes, outermost first (for images: count, rows, columns).
    public let dimensions: [Int]
    /// The elements, row-major; `bytes.count` is the product of `dimensions`.
    public let bytes: [UInt8]

    public init(dimensions: [Int], bytes: [UInt8]) {
        precondition(bytes.count == dimensions.reduce(1, *),
                     "IDXFile: \(bytes.count) bytes for dimensions \(IDXFile.describe(dimensions))")
        self.dimensions = dimensions
        self.bytes = bytes
    }

    /// Reads the whole file at `path`; throws an `IDXFileError` naming the file and what was wrong.
    public init(contentsOfFile path: String) throws {
        do {
            let stream = try openIDXByteStream(path)
            (dimensions, bytes) = try IDXFile.parse(stream)
        } catch let problem as IDXFileError.Problem {
            throw IDXFileError(path: path, problem: problem)
        }
    }

    /// The element type this reader supports: unsigned byte.
    static let unsignedByteType: UInt8 = 0x08

    private typealias Problem = IDXFileError.Problem

    /// Throws a `Problem`; the caller adds the path.
    private static func parse(_ stream: IDXByteStream) throws -> ([Int], [UInt8]) {
        var magic = [UInt8](repeating: 0, count: 4)
        let magicCount = try magic.withUnsafeMutableBytes { try stream.read(into: $0) }
        guard magicCount == 4 else { throw Problem.truncatedHeader(needed: 4, found: magicCount) }
        guard magic[0] == 0, magic[1] == 0 else { throw Problem.badMagic(magic) }
        guard magic[2] == unsignedByteType else { throw Problem.unsupportedType(magic[2]) }
        guard magic[3] > 0 else { throw Problem.noDimensions }

        let headerSize = 4 + 4 * Int(magic[3])
        var sizes = [UInt8](repeating: 0, count: 4 * Int(magic[3]))
        let sizesCount = try sizes.withUnsafeMutableBytes { try stream.read(into: $0) }
        guard sizesCount == sizes.count else { throw Problem.truncatedHeader(needed: headerSize, found: 4 + sizesCount) }
        let dimensions = (0..<Int(magic[3])).map { index -> Int in
            sizes[4 * index..<4 * index + 4].reduce(0) { size, byte in size << 8 | Int(byte) }  // big-endian
        }
        var expected = 1
        for size in dimensions {
            let (product, overflow) = expected.multipliedReportingOverflow(by: size)
            guard !overflow else { throw Problem.dimensionsTooLarge(dimensions) }
            expected = product
        }

        // Allocate only what the file can hold: a header that claims terabytes must not be trusted.
        guard expected <= stream.maximumRemainingCount else {
            throw Problem.truncatedData(dimensions: dimensions, expected: expected, found: try stream.drain())
        }
        let bytes = try [UInt8](unsafeUninitializedCapacity: expected) { buffer, initialized in
            initialized = 0
            initialized = try stream.read(into: UnsafeMutableRawBufferPointer(buffer))
        }
        guard bytes.count == expected else {
            throw Problem.truncatedData(dimensions: dimensions, expected: expected, found: bytes.count)
        }
        // Reading on to the end also makes zlib check the gzip trailer (CRC-32 and length).
        let extra = try stream.drain()
        guard extra == 0 else { throw Problem.trailingData(dimensions: dimensions, expected: expected, extra: extra) }
        return (dimensions, bytes)
    }

    static func describe(_ dimensions: [Int]) -> String {
        dimensions.map(String.init).joined(separator: "×")
    }
}

/// Why an IDX file could not be read, and which file.
public struct IDXFileError: Error, Equatable, CustomStringConvertible {
    public enum Problem: Error, Equatable, Sendable {
        case missing
        case unreadable(reason: String)
        /// The name ends in .gz but the contents do not start with gzip's 1f 8b.
        case notGzip(firstBytes: [UInt8])
        /// zlib's message, e.g. "invalid block type" or "incorrect data check" (a CRC mismatch).
        case corruptGzip(reason: String)
        case truncatedGzip
        /// Bytes after the gzip stream that do not start another gzip member.
        case trailingGarbage(count: Int)
        case truncatedHeader(needed: Int, found: Int)
        case badMagic([UInt8])
        case unsupportedType(UInt8)
        case noDimensions
        case dimensionsTooLarge([Int])
        case truncatedData(dimensions: [Int], expected: Int, found: Int)
        case trailingData(dimensions: [Int], expected: Int, extra: Int)
    }

    public let path: String
    public let problem: Problem

    public init(path: String, problem: Problem) {
        self.path = path
        self.problem = problem
    }

    public var description: String { "\(path): \(problem.description)" }
}

extension IDXFileError.Problem: CustomStringConvertible {
    public var description: String {
        switch self {
        case .missing:
            "no such file"
        case let .unreadable(reason):
            "cannot read the file (\(reason))"
        case let .notGzip(firstBytes):
            firstBytes.isEmpty ? "not a gzip file: it is empty"
                : "not a gzip file: it starts with \(hex(firstBytes)), not 1f 8b"
        case let .corruptGzip(reason):
            "corrupt gzip stream (\(reason))"
        case .truncatedGzip:
            "truncated gzip stream: the file ends before the compressed data does"
        case let .trailingGarbage(count):
            "\(count) bytes of trailing garbage after the gzip stream"
        case let .truncatedHeader(needed, found):
            "truncated IDX header: \(found) of its \(needed) bytes"
        case let .badMagic(magic):
            "bad magic \(hex(magic)): an IDX file starts with 00 00, a type byte and a dimension count"
        case let .unsupportedType(type):
            "unsupported IDX element type 0x\(hex([type]).uppercased()) (\(elementTypeName(type))): only 0x08 (unsigned byte) is supported"
        case .noDimensions:
            "the IDX header declares no dimensions"
        case let .dimensionsTooLarge(dimensions):
            "dimensions \(IDXFile.describe(dimensions)) are too large"
        case let .truncatedData(dimensions, expected, found):
            "truncated data: dimensions \(IDXFile.describe(dimensions)) need \(expected) bytes, found \(found)"
        case let .trailingData(dimensions, expected, extra):
            "trailing data: dimensions \(IDXFile.describe(dimensions)) need \(expected) bytes, found \(extra) more"
        }
    }

    private func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String($0, radix: 16, uppercase: false).leftPadded(to: 2) }.joined(separator: " ")
    }

    private func elementTypeName(_ type: UInt8) -> String {
        switch type {
        case 0x08: "unsigned byte"
        case 0x09: "signed byte"
        case 0x0B: "16-bit integer"
        case 0x0C: "32-bit integer"
        case 0x0D: "32-bit float"
        case 0x0E: "64-bit float"
        default: "not an IDX type"
        }
    }
}

private extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
