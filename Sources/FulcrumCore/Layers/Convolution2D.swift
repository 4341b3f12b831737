/// A convolution layer over NHWC maps: `filters` kernels of `kernel`×`kernel`×inputChannels.
public final class Convolution2D: Layer {
    public let weight: Variable
    public let bias: Variable
    public let kernel: Int, stride: Int, padding: Int

    public init(inputChannels: Int, filters: Int, kernel: Int, stride: Int = 1, padding: Int = 0,
                generator: inout SeededGenerator) {
        precondition(inputChannels > 0 && filters > 0 && kernel > 0, "Convolution2D: channels, filters and kernel must be > 0")
        let fanIn = kernel * kernel * inputChannels
        weight = Variable(uniformInitialisation([fanIn, filters], fanIn: fanIn, &generator), requiresGrad: true)
        bias = Variable(uniformInitialisation([filters], fanIn: fanIn, &generator), requiresGrad: true)
        (self.kernel, self.stride, self.padding) = (kernel, stride, padding)
    }

    public func callAsFunction(_ input: Variable, _ pass: ForwardPass) -> Variable {
        conv2d(input, weight, bias, kernel: (kernel, kernel), stride: stride, padding: padding)
    }

    public var parameters: [Variable] { [weight, bias] }
}

/// Max or average pooling over non-overlapping `size`×`size` windows.
public final class Pooling2D: Layer {
    public enum Kind: String, Sendable, CaseIterable { case max, average }

    public let kind: Kind
    public let size: Int

    public init(_ kind: Kind, size: Int) {
        self.kind = kind
        self.size = size
    }

    public func callAsFunction(_ input: Variable, _ pass: ForwardPass) -> Variable {
        kind == .max ? maxPool2d(input, size: size) : avgPool2d(input, size: size)
    }

    public var parameters: [Variable] { [] }
}
