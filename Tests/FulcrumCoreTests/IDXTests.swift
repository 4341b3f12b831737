import Foundation
import FulcrumCore
import FulcrumTestSupport
import Testing

/// The bytes of an IDX file: magic 00 00 `type` `dimensions.count`, the sizes big-endian, the elements.
private func idxBytes(_ dimensions: [Int], _ elements: [UInt8], type: UInt8 = 0x08) -> [UInt8] {
    var bytes: [UInt8] = [0, 0, type, UInt8(dimensions.count)]
    for size in dimensions { bytes += [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: size >> $0) } }
    return bytes + elements
}

@discardableResult
private func write(_ bytes: [UInt8], _ name: String, in directory: ScratchDirectory) -> String {
    let path = "\(directory.path)/\(name)"
    #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
    return path
}

private func contents(_ path: String) -> [UInt8] { [UInt8](FileManager.default.contents(atPath: path) ?? Data()) }

/// gzip's own compression of `bytes` (`gzip -n`: no name or time stamp in the header).
private func gzipped(_ bytes: [UInt8]) throws -> [UInt8] {
    let directory = ScratchDirectory()
    let path = write(bytes, "file", in: directory)
    let gzip = Process()
    gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
    gzip.arguments = ["-n", path]
    try gzip.run()
    gzip.waitUntilExit()
    #expect(gzip.terminationStatus == 0)
    return contents(path + ".gz")
}

/// The message of the error `body` throws.
private func errorMessage(_ body: () throws -> Void) -> String? {
    #expect(throws: (any Error).self) { try body() }.map { String(describing: $0) }
}

/// Pseudo-random bytes (an LCG), which deflate cannot shrink much.
private func noise(_ count: Int, seed: UInt32) -> [UInt8] {
    var state = seed
    return (0..<count).map { _ in
        state = state &* 1_664_525 &+ 1_013_904_223
        return UInt8(truncatingIfNeeded: state >> 24)
    }
}

@Suite("IDX files")
struct IDXFileTests {
    /// Three images of 2×3 and their labels.
    let pixels: [UInt8] = [0, 17, 34, 51, 68, 85, 102, 119, 136, 153, 170, 187, 204, 221, 238, 255, 1, 128]
    let labels: [UInt8] = [7, 0, 9]

    @Test func gzippedImagesAndLabelsReadBackExactly() throws {
        let directory = ScratchDirectory()
        let images = write(try gzipped(idxBytes([3, 2, 3], pixels)), "images.gz", in: directory)
        let labelFile = write(try gzipped(idxBytes([3], labels)), "labels.gz", in: directory)
        #expect(try IDXFile(contentsOfFile: images) == IDXFile(dimensions: [3, 2, 3], bytes: pixels))
        #expect(try IDXFile(contentsOfFile: labelFile) == IDXFile(dimensions: [3], bytes: labels))
    }

    @Test func plainFileReadsBackExactly() throws {
        let directory = ScratchDirectory()
        let path = write(idxBytes([3, 2, 3], pixels), "images", in: directory)
        #expect(try IDXFile(contentsOfFile: path) == IDXFile(dimensions: [3, 2, 3], bytes: pixels))
    }

    @Test func gzipIsRecognisedByItsContentsWhateverTheName() throws {
        let directory = ScratchDirectory()
        let path = write(try gzipped(idxBytes([3, 2, 3], pixels)), "images-idx3-ubyte", in: directory)
        #expect(try IDXFile(contentsOfFile: path).bytes == pixels)
    }

    /// `cat a.gz b.gz` is a valid gzip file of a's and b's bytes.
    @Test func concatenatedGzipMembersReadAsOneStream() throws {
        let directory = ScratchDirectory()
        let whole = idxBytes([3, 2, 3], pixels)
        let path = write(try gzipped(Array(whole[..<10])) + gzipped(Array(whole[10...])), "images.gz", in: directory)
        #expect(try IDXFile(contentsOfFile: path) == IDXFile(dimensions: [3, 2, 3], bytes: pixels))
    }

    @Test func largeFileCrossesTheReadBuffers() throws {
        let directory = ScratchDirectory()
        let big = noise(3 * 700 * 1000, seed: 5)  // > the 1 MiB input buffer, compressed or not
        let path = write(try gzipped(idxBytes([3, 700, 1000], big)), "big.gz", in: directory)
        #expect(try IDXFile(contentsOfFile: path) == IDXFile(dimensions: [3, 700, 1000], bytes: big))
    }

    @Test func gzipCutInHalfIsATruncatedStream() throws {
        let directory = ScratchDirectory()
        let compressed = try gzipped(idxBytes([3, 20, 20], noise(1200, seed: 1)))
        let path = write(Array(compressed.prefix(compressed.count / 2)), "images.gz", in: directory)
        #expect(errorMessage { _ = try IDXFile(contentsOfFile: path) }
            == "\(path): truncated gzip stream: the file ends before the compressed data does")
    }

    /// The gzip trailer's CRC-32 covers the data; a flipped bit in it (or in the data) is caught.
    @Test func wrongChecksumIsACorruptStream() throws {
        let directory = ScratchDirectory()
        var compressed = try gzipped(idxBytes([3, 2, 3], pixels))
        compressed[compressed.count - 8] ^= 0x01
        let path = write(compressed, "images.gz", in: directory)
        #expect(errorMessage { _ = try IDXFile(contentsOfFile: path) }
            == "\(path): corrupt gzip stream (incorrect data check)")
    }

    @Test func garbageAfterTheGzipStreamIsRefused() throws {
        let directory = ScratchDirectory()
        let path = write(try gzipped(idxBytes([3, 2, 3], pixels)) + [0, 0, 0], "images.gz", in: directory)
        #expect(errorMessage { _ = try IDXFile(contentsOfFile: path) }
            == "\(path): 3 bytes of trailing garbage after the gzip stream")
    }

    @Test func aGzNameWithoutGzipContentsIsNotGzip() {
        let directory = ScratchDirectory()
        let path = write(idxBytes([3, 2, 3], pixels), "images.gz", in: directory)
        #expect(errorMessage { _ = try IDXFile(contentsOfFile: path) }
            == "\(path): not a gzip file: it starts with 00 00, not 1f 8b")
    }

    @Test func badMagicIsRefused() {
        let directory = ScratchDirectory()
        let path = write([0x12, 0x34, 0x08, 0x01, 0, 0, 0, 1, 5], "images", in: directory)
        #expect(errorMessage { _ = try IDXFile(contentsOfFile: path) }
            == "\(path): bad magic 12 34 08 01: an IDX file starts with 00 00, a type byte and a dimension count")
    }

    @Test func elementTypesOtherThanUnsignedByteAreRefused() {
        let directory = ScratchDirectory()
        let float = write(idxBytes([1], [0, 0, 0, 0], type: 0x0D), "floats", in: directory)
        let unknown = write(idxBytes([1], [0], type: 0x07), "unknown", in: directory)
        #expect(errorMessage { _ = try IDXFile(contentsOfFile: float) }
            == "\(float): unsupported IDX element type 0x0D (32-bit float): only 0x08 (unsigned byte) is supported")
        #expect(errorMessage { _ = try IDXFile(contentsOfFile: unknown) }
            == "\(unknown): unsupported IDX element type 0x07 (not an IDX type): only 0x08 (unsigned byte) is supported")
    }

    @Test(arguments: [false, true])
    func fewerBytesThanTheDimensionsSayIsTruncatedData(gzip: Bool) throws {
        let directory = ScratchDirectory()
        let bytes = idxBytes([3, 2, 3], Array(pixels.dropLast()))
        let path = write(gzip ? try gzipped(bytes) : bytes, gzip ? "images.gz" : "images", in: directory)
        #expect(errorMessage { _ = try IDXFile(contentsOfFile: path) }
            == "\(path): truncated data: dimensions 3×2×3 need 18 bytes, found 17")
    }

    @Test(arguments: [false, true])
    func moreBytesThanTheDimensionsSayIsTrailingData(gzip: Bool) throws {
        let directory = ScratchDirectory()
        let bytes = idxBytes([3, 2, 3], pixels + [1, 2])
        let path = write(gzip ? try gzipped(bytes) : bytes, gzip ? "images.gz" : "images", in: directory)
        #expect(errorMessage { _ = try IDXFile(contentsOfFile: path) }
            == "\(path): trailing data: dimensions 3×2×3 need 18 bytes, found 2 more")
    }

    /// A header may claim terabytes; the reader counts what is there instead of allocating that.
    @Test(arguments: [false, true])
    func absurdSizesAreTruncatedDataNotAnAllocation(gzip: Bool) throws {
        let directory = ScratchDirectory()
        let bytes = idxBytes([0xFFFF_FFFF, 0xFFFF], pixels)
        let path = write(gzip ? try gzipped(bytes) : bytes, gzip ? "images.gz" : "images", in: directory)
        #expect(errorMessage { _ = try IDXFile(contentsOfFile: path) }
            == "\(path): truncated data: dimensions 4294967295×65535 need 281470681677825 bytes, found 18")
    }

    @Test func shortHeaderIsTruncated() {
        let directory = ScratchDirectory()
        let path = write([0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 2], "images", in: directory)
        #expect(errorMessage { _ = try IDXFile(contentsOfFile: path) }
            == "\(path): truncated IDX header: 12 of its 16 bytes")
    }

    @Test func missingFileIsNamed() {
        let directory = ScratchDirectory()
        #expect(errorMessage { _ = try IDXFile(contentsOfFile: "\(directory.path)/nothing.gz") }
            == "\(directory.path)/nothing.gz: no such file")
    }
}

@Suite("Fashion-MNIST")
struct FashionMNISTTests {
    /// A miniature Fashion-MNIST in the Debian layout: 28×28 images, `labels` per split.
    func writeDataSet(train: [UInt8] = [9, 0, 3], test: [UInt8] = [1, 2],
                      trainImages: Int? = nil, imageSide: Int = 28, gzip: Bool = true) throws -> ScratchDirectory {
        let directory = ScratchDirectory()
        let files: [(String, [UInt8])] = [
            ("train-images-idx3-ubyte", idxBytes([trainImages ?? train.count, imageSide, imageSide],
                                                 noise((trainImages ?? train.count) * imageSide * imageSide, seed: 2))),
            ("train-labels-idx1-ubyte", idxBytes([train.count], train)),
            ("t10k-images-idx3-ubyte", idxBytes([test.count, imageSide, imageSide], noise(test.count * imageSide * imageSide, seed: 3))),
            ("t10k-labels-idx1-ubyte", idxBytes([test.count], test)),
        ]
        for (name, bytes) in files {
            if gzip { write(try gzipped(bytes), name + ".gz", in: directory) } else { write(bytes, name, in: directory) }
        }
        return directory
    }

    @Test(arguments: [true, false])
    func loadsBothSplitsFromTheDebianFileNames(gzip: Bool) throws {
        let directory = try writeDataSet(gzip: gzip)
        let (train, test) = try FashionMNIST.load(directory: directory.path)
        #expect(train == LabelledImages(pixels: noise(3 * 784, seed: 2), rows: 28, columns: 28, labels: [9, 0, 3]))
        #expect(test == LabelledImages(pixels: noise(2 * 784, seed: 3), rows: 28, columns: 28, labels: [1, 2]))
    }

    @Test func labelCountThatDisagreesWithTheImagesIsNamed() throws {
        let directory = try writeDataSet(train: [9, 0], trainImages: 3)
        #expect(errorMessage { _ = try FashionMNIST.load(directory: directory.path) }
            == "\(directory.path)/train-labels-idx1-ubyte.gz has 2 labels but \(directory.path)/train-images-idx3-ubyte.gz has 3 images")
    }

    @Test func labelsOutsideTheTenClassesAreRefused() throws {
        let directory = try writeDataSet(test: [1, 10])
        #expect(errorMessage { _ = try FashionMNIST.load(directory: directory.path) }
            == "\(directory.path)/t10k-labels-idx1-ubyte.gz: label 10 of item 1 is outside 0…9")
    }

    @Test func imagesThatAreNot28By28AreRefused() throws {
        let directory = try writeDataSet(imageSide: 27)
        #expect(errorMessage { _ = try FashionMNIST.load(directory: directory.path) }
            == "\(directory.path)/train-images-idx3-ubyte.gz: dimensions 3×27×27, expected count×28×28")
    }

    @Test func missingDirectoryNamesTheDebianPackage() {
        let directory = ScratchDirectory()
        #expect(errorMessage { _ = try FashionMNIST.load(directory: "\(directory.path)/nowhere") }
            == "Fashion-MNIST not found at \(directory.path)/nowhere: install the Debian package dataset-fashion-mnist "
            + "(sudo apt-get install dataset-fashion-mnist, or `make deps`)")
    }

    @Test func missingFileNamesTheFileAndTheDebianPackage() throws {
        let directory = try writeDataSet()
        try FileManager.default.removeItem(atPath: "\(directory.path)/t10k-labels-idx1-ubyte.gz")
        #expect(errorMessage { _ = try FashionMNIST.load(directory: directory.path) }
            == "Fashion-MNIST not found at \(directory.path)/t10k-labels-idx1-ubyte.gz: install the Debian package "
            + "dataset-fashion-mnist (sudo apt-get install dataset-fashion-mnist, or `make deps`)")
    }

    @Test func corruptFileGivesTheIDXErrorWithItsPath() throws {
        let directory = try writeDataSet()
        let path = "\(directory.path)/train-images-idx3-ubyte.gz"
        let compressed = contents(path)
        write(Array(compressed.prefix(compressed.count / 2)), "train-images-idx3-ubyte.gz", in: directory)
        #expect(errorMessage { _ = try FashionMNIST.load(directory: directory.path) }
            == "\(path): truncated gzip stream: the file ends before the compressed data does")
    }

    @Test func classNamesFollowTheLabels() {
        #expect(FashionMNIST.classNames == ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"])
    }

    /// The installed data set: 60 000 + 10 000 images of 28×28, each class exactly 6000 / 1000 times.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: FashionMNIST.defaultDirectory), "dataset-fashion-mnist is installed"))
    func installedDataSetHasItsKnownShapeAndBalance() throws {
        let (train, test) = try FashionMNIST.load()
        #expect(train.count == 60_000 && test.count == 10_000)
        #expect(train.rows == 28 && train.columns == 28 && test.rows == 28 && test.columns == 28)
        for (split, perClass) in [(train, 6000), (test, 1000)] {
            var histogram = [Int](repeating: 0, count: 10)
            for label in split.labels { histogram[label] += 1 }
            #expect(histogram == [Int](repeating: perClass, count: 10))
        }
        // The first labels and the first image's pixel sum, as Python's gzip module reads the files.
        #expect(Array(train.labels.prefix(10)) == [9, 0, 0, 3, 0, 2, 7, 2, 5, 5])
        #expect(Array(test.labels.prefix(10)) == [9, 2, 1, 1, 6, 1, 4, 6, 5, 7])
        #expect(train.pixels.prefix(784).reduce(0) { $0 + Int($1) } == 76247)
    }
}
