import Foundation

/// Zalando's Fashion-MNIST (Xiao, Rasul & Vollgraf, 2017, arXiv:1708.07747): 28×28 grey-scale
/// images of clothing in 10 classes, 60 000 for training and 10 000 for testing, as Debian's package
/// dataset-fashion-mnist installs them (gzip'd IDX files).
public enum FashionMNIST {
    public static let defaultDirectory = "/usr/share/datasets/fashion-mnist"
    /// The Debian package that installs the data set into `defaultDirectory`.
    public static let debianPackage = "dataset-fashion-mnist"
    /// The classes, indexed by label.
    public static let classNames = [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ]
    public static let imageRows = 28
    public static let imageColumns = 28

    public enum Split: String, Sendable, CaseIterable {
        case train, test

        private var filePrefix: String { self == .train ? "train" : "t10k" }
        public var imagesFile: String { "\(filePrefix)-images-idx3-ubyte.gz" }
        public var labelsFile: String { "\(filePrefix)-labels-idx1-ubyte.gz" }
    }

    /// Both splits. Throws `FashionMNISTError` when the data is missing or the files disagree, and
    /// `IDXFileError` when a file is corrupt.
    public static func load(directory: String = defaultDirectory) throws -> (train: LabelledImages, test: LabelledImages) {
        (try load(.train, directory: directory), try load(.test, directory: directory))
    }

    public static func load(_ split: Split, directory: String = defaultDirectory) throws -> LabelledImages {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw FashionMNISTError.notFound(path: directory)
        }
        let imagesPath = "\(directory)/\(split.imagesFile)", labelsPath = "\(directory)/\(split.labelsFile)"
        let images = try readInstalledFile(imagesPath)
        let labels = try readInstalledFile(labelsPath)

        guard images.dimensions.count == 3,
              images.dimensions[1] == imageRows, images.dimensions[2] == imageColumns else {
            throw FashionMNISTError.wrongShape(path: imagesPath, dimensions: images.dimensions,
                                               expected: "count×\(imageRows)×\(imageColumns)")
        }
        guard labels.dimensions.count == 1 else {
            throw FashionMNISTError.wrongShape(path: labelsPath, dimensions: labels.dimensions, expected: "count")
        }
        guard labels.dimensions[0] == images.dimensions[0] else {
            throw FashionMNISTError.countMismatch(imagesPath: imagesPath, images: images.dimensions[0],
                                                  labelsPath: labelsPath, labels: labels.dimensions[0])
        }
        if let index = labels.bytes.firstIndex(where: { Int($0) >= classNames.count }) {
            throw FashionMNISTError.labelOutOfRange(path: labelsPath, index: index, label: Int(labels.bytes[index]))
        }
        return LabelledImages(pixels: images.bytes, rows: imageRows, columns: imageColumns,
                              labels: labels.bytes.map(Int.init))
    }

    /// Reads `path`, or the same file un-gzip'd when only that is there; a missing file means the
    /// package is not (fully) installed.
    private static func readInstalledFile(_ path: String) throws -> IDXFile {
        do {
            return try IDXFile(contentsOfFile: path)
        } catch let error as IDXFileError where error.problem == .missing {
            let unzipped = String(path.dropLast(".gz".count))
            guard FileManager.default.fileExists(atPath: unzipped) else { throw FashionMNISTError.notFound(path: path) }
            return try IDXFile(contentsOfFile: unzipped)
        }
    }
}

/// Why Fashion-MNIST could not be loaded (a corrupt file throws its `IDXFileError` instead).
public enum FashionMNISTError: Error, Equatable, CustomStringConvertible {
    case notFound(path: String)
    case wrongShape(path: String, dimensions: [Int], expected: String)
    case countMismatch(imagesPath: String, images: Int, labelsPath: String, labels: Int)
    case labelOutOfRange(path: String, index: Int, label: Int)

    public var description: String {
        switch self {
        case let .notFound(path):
            "Fashion-MNIST not found at \(path): install the Debian package \(FashionMNIST.debianPackage) "
                + "(sudo apt-get install \(FashionMNIST.debianPackage), or `make deps`)"
        case let .wrongShape(path, dimensions, expected):
            "\(path): dimensions \(IDXFile.describe(dimensions)), expected \(expected)"
        case let .countMismatch(imagesPath, images, labelsPath, labels):
            "\(labelsPath) has \(labels) labels but \(imagesPath) has \(images) images"
        case let .labelOutOfRange(path, index, label):
            "\(path): label \(label) of item \(index) is outside 0…\(FashionMNIST.classNames.count - 1)"
        }
    }
}
