import Foundation
import FulcrumCore

// The `data` section of a manifest, and whether the tasks fit the data set it names.
extension Manifest {

    static func parseData(_ node: ManifestNode) -> DataSection? {
        var seedList: [UInt64] = []
        guard var section = parseDataSet(node, seedList: &seedList) else { return nil }
        section.seeds = seedList
        return section
    }

    /// The section, with `seed` the first data seed; a list of seeds goes to `seedList`.
    private static func parseDataSet(_ node: ManifestNode, seedList: inout [UInt64]) -> DataSection? {
        let allKeys = ["dataset", "train_size", "val_size", "seed"] + Dataset.allCases.flatMap(\.keys)
        guard let data = node.mapping(allowed: Array(NSOrderedSet(array: allKeys)) as? [String]) else { return nil }
        let reading = node.reading
        guard let dataset = data.required("dataset")?.choice(Dataset.allCases.map(\.rawValue)).flatMap(Dataset.init) else { return nil }
        for (key, value) in data.entries where !["dataset", "train_size", "val_size", "seed"].contains(key) && !dataset.keys.contains(key) {
            let owners = Dataset.allCases.filter { $0.keys.contains(key) }.map(\.rawValue).joined(separator: ", ")
            reading.report(value.path, value.node, "'\(key)' applies to \(owners) only, not \(dataset.rawValue)")
        }
        let trainSize = data.required("train_size")?.integer(atLeast: 1)
        let validationSize = data.required("val_size")?.integer(atLeast: 1)
        let testSize = data.optional("test_size", default: validationSize ?? 1) { $0.integer(atLeast: 1) }
        let seeds = data.optional("seed", default: [0]) { field -> [Int]? in
            guard case .sequence = field.node else { return field.integer(atLeast: 0).map { [$0] } }
            let values = (field.list() ?? []).map { $0.integer(atLeast: 0) }
            if values.isEmpty { field.reading.report(field.path, field.node, "expected an integer ≥ 0 or a non-empty list of them") }
            return values.isEmpty || values.contains(where: { $0 == nil }) ? nil : values.compactMap { $0 }
        }
        guard let trainSize, let validationSize, let testSize, let seeds else { return nil }
        let seed = seeds[0]
        if case .sequence = data["seed"]?.node { seedList = seeds.map(UInt64.init) }

        switch dataset {
        case .synthetic:
            let inputDimension = data.required("input_dim")?.integer(atLeast: 1)
            let clusters = data.optional("clusters", default: 8) { $0.integer(atLeast: 1) }
            guard let inputDimension, let clusters else { return nil }
            return DataSection(dataset: dataset, inputDimension: inputDimension, clusters: clusters, trainSize: trainSize,
                               validationSize: validationSize, testSize: 0, seed: UInt64(seed))
        case .gradnormToy:
            let scales = data["scales"].flatMap { field -> [Double]? in
                guard let items = field.list() else { return nil }
                let values = items.map { $0.number(in: 1e-12...1e12, "a scale σ > 0") }
                return values.contains(where: { $0 == nil }) ? nil : values.compactMap { $0 }
            }
            if data["scales"] != nil, scales == nil { return nil }
            guard let freshBatches = data.optional("fresh_batches", default: false, { $0.boolean() }) else { return nil }
            var section = DataSection(dataset: dataset, inputDimension: GradNormToy.inputDimension, clusters: 0, trainSize: trainSize,
                                      validationSize: validationSize, testSize: testSize, seed: UInt64(seed))
            section.scales = scales
            section.freshBatches = freshBatches
            return section
        default:
            let defaultCanvas = dataset == .multiFashion ? 36 : 40
            let canvas = data.optional("canvas", default: defaultCanvas) { $0.integer(atLeast: FashionMNIST.imageRows) }
            let path = data.optional("path", default: FashionMNIST.defaultDirectory) { $0.string() }
            let clutter = data.optional("clutter", default: 0) { $0.integer(atLeast: 0) }
            let clutterKind = data.optional("clutter_kind", default: FashionScene.ClutterKind.items) {
                $0.choice(FashionScene.ClutterKind.allCases.map(\.rawValue)).flatMap(FashionScene.ClutterKind.init(rawValue:))
            }
            let shift = data.optional("shift", default: 0) { $0.integer(atLeast: 0) }
            let scale = data.optional("scale", default: 0.6...1.0) { parseScale($0, canvas: canvas ?? defaultCanvas) }
            let clutterSize = data.optional("clutter_size", default: 8) { $0.integer(atLeast: 2) }
            let labels = data.optional("labels", default: FashionScene.Labels.fine) {
                $0.choice(FashionScene.Labels.allCases.map(\.rawValue)).flatMap(FashionScene.Labels.init(rawValue:))
            }
            guard let canvas, let path, let clutter, let clutterKind, let clutterSize, let labels, let shift, let scale else { return nil }
            let files = FashionMNIST.Split.allCases.flatMap { [$0.imagesFile, $0.labelsFile] }
            if let missing = files.first(where: { !FileManager.default.fileExists(atPath: "\(path)/\($0)") }) {
                reading.report(data["path"]?.path ?? "\(node.path).dataset", (data["path"] ?? data["dataset"])?.node,
                               "\(dataset.rawValue) reads Fashion-MNIST, but \(path)/\(missing) does not exist: install the Debian package \(FashionMNIST.debianPackage) (make deps)")
                return nil
            }
            var section = DataSection(dataset: dataset, inputDimension: canvas * canvas, clusters: 0, trainSize: trainSize,
                                      validationSize: validationSize, testSize: testSize, seed: UInt64(seed))
            section.canvas = canvas
            section.scale = scale
            section.clutter = clutter
            section.clutterKind = clutterKind
            section.clutterSize = clutterSize
            section.labels = labels
            section.shift = shift
            section.path = path
            return section
        }
    }

    /// `scale: [low, high]`: the item's side as a fraction of 28 pixels, so that it fits the canvas.
    private static func parseScale(_ node: ManifestNode, canvas: Int) -> ClosedRange<Double>? {
        let most = Double(canvas) / Double(FashionMNIST.imageRows)
        let expectation = "[low, high] with 0.25 ≤ low ≤ high ≤ \(String(format: "%g", most)) (the item must fit the canvas)"
        guard let items = node.list(), items.count == 2 else {
            if case .sequence = node.node { node.reading.report(node.path, node.node, "expected \(expectation)") }
            return nil
        }
        let values = items.map { $0.number(in: 0.25...most, expectation) }
        guard let low = values[0], let high = values[1] else { return nil }
        guard low <= high else { node.reading.report(node.path, node.node, "expected \(expectation), got low > high"); return nil }
        return low...high
    }

    /// Each data set makes certain tasks: the image sets their items' class, mask, box and points,
    /// the toy its regressions. A single-task baseline is one task of a valid list.
    static func checkTasks(_ tasks: [ManifestTask], fit data: DataSection, at node: ManifestNode, singleTask: Bool) {
        let reading = node.reading
        func item(_ index: Int) -> ManifestNode { ManifestNode(node: (node.list() ?? [])[index].node, path: "\(node.path)[\(index)]", reading: reading) }
        for (index, task) in tasks.enumerated() where data.dataset != .synthetic && task.noise != 0 {
            reading.report("\(node.path)[\(index)].noise", item(index).node, "'noise' applies to the synthetic data set only")
        }
        switch data.dataset {
        case .fashionScenes:
            for (index, task) in tasks.enumerated() {
                let fits = switch task.spec.kind {
                case let .classification(classes): classes == data.labels.classCount
                case let .segmentation(height, width): height == data.canvas && width == data.canvas
                case .detection: true
                case let .keypoints(count): count == 4
                default: false
                }
                if !fits {
                    reading.report("\(node.path)[\(index)].type", item(index).node,
                                   "fashion_scenes makes classification (classes: \(data.labels.classCount)), segmentation (height and width: the canvas, \(data.canvas)), detection and keypoints (count: 4) tasks")
                }
            }
        case .multiFashion:
            if (!singleTask && tasks.count != 2) || tasks.contains(where: { $0.spec.kind != .classification(classes: 10) }) {
                reading.report(node.path, node.node, "multi_fashion makes two classification tasks (classes: 10): the top-left item, then the bottom-right one")
            }
        case .gradnormToy:
            for (index, task) in tasks.enumerated() where task.spec.kind != .regression(outputs: GradNormToy.outputDimension) {
                reading.report("\(node.path)[\(index)].type", item(index).node, "gradnorm_toy makes regression tasks (outputs: \(GradNormToy.outputDimension))")
            }
            if !singleTask, let scales = data.scales, scales.count != tasks.count {
                reading.report("data.scales", nil, "expected one scale σ per task (\(tasks.count)), got \(scales.count)")
            }
        case .synthetic:
            break
        }
    }
}
