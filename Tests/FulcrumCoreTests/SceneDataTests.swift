import Foundation
import FulcrumCore
import Testing

/// Items for the tests: image i is a bright rectangle whose size depends on i, labelled i (so a
/// scene's label says which image it drew).
func rectangles(_ count: Int, from first: Int = 0) -> LabelledImages {
    var pixels = [UInt8](repeating: 0, count: count * 28 * 28)
    for i in 0..<count {
        let (height, width) = (10 + i % 11, 6 + (i * 7) % 15)
        for row in 4..<(4 + height) {
            for column in 3..<(3 + width) { pixels[(i * 28 + row) * 28 + column] = UInt8(120 + (i * 13) % 136) }
        }
    }
    return LabelledImages(pixels: pixels, rows: 28, columns: 28, labels: Array(first..<(first + count)))
}

@Suite("Fashion scenes")
struct FashionSceneTests {
    @Test func anItemAtFullScaleIsCopiedAndItsLabelsFollowFromItsPixels() {
        // Image 0: rows 4..<14, columns 3..<9 (10 × 6) at full scale: the mask is exactly that rectangle.
        var generator = SeededGenerator.stream(9, 9)
        let scene = FashionScene.draw(rectangles(1), 0, clutterPool: [], recipe: .init(canvas: 40, scale: 1...1), generator: &generator)
        let maskPixels = scene.mask.enumerated().filter(\.element).map { ($0.offset / 40, $0.offset % 40) }
        #expect(maskPixels.count == 10 * 6)
        let (top, left) = (maskPixels.map(\.0).min()! - 4, maskPixels.map(\.1).min()! - 3)
        #expect(maskPixels.allSatisfy { ($0.0 - top - 4) < 10 && ($0.1 - left - 3) < 6 })
        let close = { (a: [Float], b: [Float]) in a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) < 1e-6 } }
        #expect(close(scene.box, [Float(left + 3) / 40, Float(top + 4) / 40, Float(left + 9) / 40, Float(top + 14) / 40]))
        // Extreme points: the median pixel of the leftmost column (row 4 + 10/2), of the top row (column 3 + 6/2), …
        let c = { (v: Int) in (Float(v) + 0.5) / 40 }
        #expect(close(scene.keypoints, [c(left + 3), c(top + 9), c(left + 6), c(top + 4), c(left + 8), c(top + 9), c(left + 6), c(top + 13)]))
        #expect(scene.label == 0)
        #expect(scene.pixels.filter { $0 > 0 }.count == 60 && scene.pixels.max() == 120 / 255)
    }

    @Test func everyTargetIsConsistentWithItsImage() {
        let images = rectangles(40)
        let data = FashionScenes.make(train: images, test: rectangles(10, from: 100),
                                      recipe: .init(canvas: 36, scale: 0.5...1, clutter: 3), targets: FashionScenes.Target.allCases,
                                      trainCount: 60, validationCount: 20, testCount: 20, seed: 4)
        for split in [data.train, data.validation, data.test!] {
            guard case let .labels(labels) = split.targets[0], case let .values(masks) = split.targets[1],
                  case let .values(boxes) = split.targets[2], case let .values(points) = split.targets[3] else {
                Issue.record("targets of the wrong form"); return
            }
            for example in 0..<split.count {
                let mask = (0..<(36 * 36)).map { masks.scalars[example * 36 * 36 + $0] == 1 }
                let box = (0..<4).map { boxes.scalars[example * 4 + $0] * 36 }
                #expect(mask.contains(true))
                for position in mask.indices where mask[position] {
                    let (row, column) = (Float(position / 36), Float(position % 36))
                    #expect(column >= box[0] && column + 1 <= box[2] && row >= box[1] && row + 1 <= box[3], "mask inside the box")
                }
                for k in 0..<4 {
                    let (x, y) = (points.scalars[example * 8 + 2 * k] * 36, points.scalars[example * 8 + 2 * k + 1] * 36)
                    #expect(mask[Int(y) * 36 + Int(x)], "keypoint \(k) on the mask")
                }
                // The item is the brightest thing in its mask: clutter is drawn at most 2/3 as bright.
                let brightness = UInt8(120 + (labels[example] % 100 * 13) % 136)
                let inside = mask.indices.filter { mask[$0] }.map { split.inputs.scalars[example * 36 * 36 + $0] }
                #expect(abs(inside.max()! - Float(brightness) / 255) < 1e-5, "the class names the item drawn")
            }
        }
    }

    /// Blobs show outside the item, at most ⅔ + 0.1 bright, and never enter its mask, which keeps
    /// the size the item alone would have (the rectangle of image i at the drawn scale).
    @Test func blobClutterStaysOutOfTheTargetsAndDimmerThanTheItem() {
        let recipe = FashionScene.Recipe(canvas: 32, scale: 0.6...1, clutter: 4, clutterKind: .blobs, clutterSize: 12)
        var generator = SeededGenerator.stream(3, 1)
        for index in 0..<20 {
            let images = rectangles(20)
            let scene = FashionScene.draw(images, index, clutterPool: Array(0..<20), recipe: recipe, generator: &generator)
            let clutterOnly = scene.pixels.indices.filter { !scene.mask[$0] && scene.pixels[$0] > 0 }
            #expect(!clutterOnly.isEmpty, "the blobs show")
            #expect(clutterOnly.allSatisfy { scene.pixels[$0] <= Float(2.0 / 3 + 0.1) + 1e-6 })
            let (height, width) = (10 + index % 11, 6 + (index * 7) % 15)
            let box = scene.box.map { Double($0) * 32 }
            #expect(abs((box[2] - box[0]) - Double(width) * 0.6) <= Double(width) * 0.4 + 1, "width at a scale in 0.6…1")
            #expect(abs((box[3] - box[1]) - Double(height) * 0.6) <= Double(height) * 0.4 + 1, "height at a scale in 0.6…1")
            #expect(box[2] - box[0] <= Double(width) + 1 && box[3] - box[1] <= Double(height) + 1, "no blob widens the mask")
            #expect(scene.label == index)
        }
    }

    /// Coarse labels fold Fashion-MNIST's ten classes into five kinds of garment, and only the label changes.
    @Test func coarseLabelsFoldTheTenClassesIntoFiveGarmentKinds() {
        #expect((0..<10).map(FashionScene.Labels.coarse.label(ofFashionClass:)) == [0, 1, 0, 2, 0, 3, 0, 3, 4, 3])
        #expect((0..<10).map(FashionScene.Labels.fine.label(ofFashionClass:)) == Array(0..<10))
        let images = rectangles(10)
        var fine = SeededGenerator.stream(5, 5), coarse = SeededGenerator.stream(5, 5)
        for index in 0..<10 {
            let a = FashionScene.draw(images, index, clutterPool: [], recipe: .init(canvas: 32), generator: &fine)
            let b = FashionScene.draw(images, index, clutterPool: [], recipe: .init(canvas: 32, labels: .coarse), generator: &coarse)
            #expect(a.pixels == b.pixels && a.mask == b.mask && a.box == b.box && a.label == index)
            #expect(b.label == FashionScene.Labels.coarse.label(ofFashionClass: index))
        }
    }

    @Test func splitsDrawFromDisjointItemsAndTheSameSeedGivesTheSameScenes() {
        let make = { (seed: UInt64) in
            FashionScenes.make(train: rectangles(60), test: rectangles(10, from: 100), recipe: .init(), targets: [.label, .box],
                               trainCount: 100, validationCount: 30, testCount: 10, seed: seed)
        }
        let data = make(7)
        guard case let .labels(train) = data.train.targets[0], case let .labels(validation) = data.validation.targets[0],
              case let .labels(test) = data.test!.targets[0] else { Issue.record("labels expected"); return }
        #expect(Set(train).isDisjoint(with: validation))
        #expect(Set(validation).count == 10)  // a sixth of 60 items held out
        #expect(test.allSatisfy { $0 >= 100 })
        #expect(make(7) == data)
        #expect(make(8) != data)
    }
}

@Suite("MultiFashion")
struct MultiFashionTests {
    @Test func theFirstTaskNamesTheTopLeftItemAndTheSecondTheBottomRight() {
        let data = MultiFashion.make(train: rectangles(30), test: rectangles(6, from: 50), trainCount: 40, validationCount: 10,
                                     testCount: 6, seed: 3)
        #expect(data.train.inputs.shape == [40, 36 * 36])
        guard case let .labels(first) = data.train.targets[0], case let .labels(second) = data.train.targets[1] else {
            Issue.record("labels expected"); return
        }
        // Every rectangle covers rows 4…13 and columns 3…8 of its item: pixel (5, 4) of the canvas
        // shows only the first item, pixel (8 + 5, 8 + 4) only the second where the first is dark.
        for example in 0..<40 {
            let pixel = { (row: Int, column: Int) in data.train.inputs.scalars[example * 36 * 36 + row * 36 + column] }
            #expect(abs(pixel(5, 4) - Float(120 + (first[example] * 13) % 136) / 255) < 1e-6)
            #expect(abs(pixel(8 + 20, 8 + 4) - Float(120 + (second[example] * 13) % 136) / 255) < 1e-6 || pixel(8 + 20, 8 + 4) == 0)
        }
        #expect(MultiFashion.make(train: rectangles(30), test: rectangles(6, from: 50), trainCount: 40, validationCount: 10, testCount: 6, seed: 3) == data)
    }
}
