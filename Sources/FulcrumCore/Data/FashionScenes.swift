/// The Fashion scenes data set: each example a `FashionScene` drawn from a seed, with up to four
/// targets per scene — the item's class, mask, box and extreme points.
public enum FashionScenes {
    /// What a task of the data set predicts.
    public enum Target: String, Sendable, CaseIterable {
        case label, mask, box, keypoints
    }

    /// Train, validation and test scenes. Train and validation items come from disjoint parts of
    /// Fashion-MNIST's training images (the last sixth, shuffled by `seed`, is validation's), test
    /// items from its test images; an item may appear in several scenes of its split, each time
    /// drawn anew. Targets come in the order of `targets`.
    public static func make(train trainImages: LabelledImages, test testImages: LabelledImages, recipe: FashionScene.Recipe,
                            targets: [Target], trainCount: Int, validationCount: Int, testCount: Int, seed: UInt64) -> DatasetSplits {
        var shuffler = SeededGenerator.stream(seed, 0x5CE7E)
        var order = Array(0..<trainImages.count)
        order.shuffle(using: &shuffler)
        let validationPool = max(trainImages.count / 6, 1)
        let trainPool = Array(order.dropLast(validationPool)), heldOut = Array(order.suffix(validationPool))
        func split(_ images: LabelledImages, pool: [Int], count: Int, stream: UInt64) -> MultiTaskDataset {
            var generator = SeededGenerator.stream(seed, stream)
            let scenes = (0..<count).map { i in
                scene(images, pool[i % pool.count], clutterPool: pool, recipe: recipe, generator: &generator)
            }
            return dataset(scenes, targets: targets, canvas: recipe.canvas)
        }
        return DatasetSplits(train: split(trainImages, pool: trainPool.isEmpty ? order : trainPool, count: trainCount, stream: 1),
                             validation: split(trainImages, pool: heldOut, count: validationCount, stream: 2),
                             test: split(testImages, pool: Array(0..<testImages.count), count: testCount, stream: 3))
    }

    /// A scene whose item left a mask (a very faint item drawn small can vanish under the threshold:
    /// such a scene is drawn again, at most a few times).
    static func scene(_ images: LabelledImages, _ index: Int, clutterPool: [Int], recipe: FashionScene.Recipe,
                      generator: inout SeededGenerator) -> FashionScene {
        var scene = FashionScene.draw(images, index, clutterPool: clutterPool, recipe: recipe, generator: &generator)
        for _ in 0..<8 where !scene.mask.contains(true) {
            scene = FashionScene.draw(images, index, clutterPool: clutterPool, recipe: recipe, generator: &generator)
        }
        return scene
    }

    static func dataset(_ scenes: [FashionScene], targets: [Target], canvas: Int) -> MultiTaskDataset {
        let pixels = canvas * canvas
        let inputs = Tensor(shape: [scenes.count, pixels], scalars: scenes.flatMap(\.pixels))
        let taskTargets = targets.map { target -> TaskTargets in
            switch target {
            case .label: .labels(scenes.map(\.label))
            case .mask: .values(Tensor(shape: [scenes.count, pixels], scalars: scenes.flatMap { $0.mask.map { $0 ? 1 : 0 } }))
            case .box: .values(Tensor(shape: [scenes.count, 4], scalars: scenes.flatMap(\.box)))
            case .keypoints: .values(Tensor(shape: [scenes.count, 8], scalars: scenes.flatMap(\.keypoints)))
            }
        }
        return MultiTaskDataset(inputs: inputs, targets: taskTargets)
    }
}
