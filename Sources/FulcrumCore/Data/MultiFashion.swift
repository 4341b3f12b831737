/// MultiFashion (the MultiMNIST construction of Sabour et al. 2017, as Sener & Koltun 2018 use it
/// for multi-task learning, on Fashion-MNIST): two items on one canvas, one in the top-left corner
/// and one in the bottom-right, overlapping in the middle; task 1 names the first, task 2 the second.
public enum MultiFashion {
    /// Train, validation and test examples; items are paired at random within each split's pool
    /// (validation's pool: the last sixth of the training images, shuffled by `seed`).
    /// `shift` moves each item up to that many pixels towards the centre, drawn per example.
    public static func make(train trainImages: LabelledImages, test testImages: LabelledImages, canvas: Int = 36, shift: Int = 0,
                            trainCount: Int, validationCount: Int, testCount: Int, seed: UInt64) -> DatasetSplits {
        precondition(canvas >= trainImages.rows && canvas >= trainImages.columns, "MultiFashion: canvas \(canvas) smaller than an item")
        var shuffler = SeededGenerator.stream(seed, 0x3F)
        var order = Array(0..<trainImages.count)
        order.shuffle(using: &shuffler)
        let validationPool = max(trainImages.count / 6, 1)
        func split(_ images: LabelledImages, pool: [Int], count: Int, stream: UInt64) -> MultiTaskDataset {
            var generator = SeededGenerator.stream(seed, stream)
            var inputs = [Float](repeating: 0, count: count * canvas * canvas)
            var first: [Int] = [], second: [Int] = []
            let side = images.rows
            for example in 0..<count {
                let a = pool[Int(generator.next() % UInt64(pool.count))], b = pool[Int(generator.next() % UInt64(pool.count))]
                var canvasPixels = [Float](repeating: 0, count: canvas * canvas)
                let room = min(shift, canvas - side)
                let offsetA = (Int(generator.next() % UInt64(room + 1)), Int(generator.next() % UInt64(room + 1)))
                let offsetB = (Int(generator.next() % UInt64(room + 1)), Int(generator.next() % UInt64(room + 1)))
                ItemPlacement(size: side, top: offsetA.0, left: offsetA.1)
                    .draw(images, a, onto: &canvasPixels, width: canvas)
                ItemPlacement(size: side, top: canvas - side - offsetB.0, left: canvas - side - offsetB.1)
                    .draw(images, b, onto: &canvasPixels, width: canvas)
                inputs.replaceSubrange(example * canvas * canvas..<(example + 1) * canvas * canvas, with: canvasPixels)
                first.append(images.labels[a])
                second.append(images.labels[b])
            }
            return MultiTaskDataset(inputs: Tensor(shape: [count, canvas * canvas], scalars: inputs),
                                    targets: [.labels(first), .labels(second)])
        }
        return DatasetSplits(train: split(trainImages, pool: Array(order.dropLast(validationPool)), count: trainCount, stream: 1),
                             validation: split(trainImages, pool: Array(order.suffix(validationPool)), count: validationCount, stream: 2),
                             test: split(testImages, pool: Array(0..<testImages.count), count: testCount, stream: 3))
    }
}
