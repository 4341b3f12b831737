import FulcrumCore

// The `model` and `train` sections of a manifest.
extension Manifest {
    static let modelKeys = ["architecture", "task_order", "trunk", "conv", "image", "activation", "dropout"]
    static let trainKeys = ["steps", "epochs", "batch_size", "optimizer", "lr", "momentum", "weight_decay", "warmup_steps",
                            "schedule", "step_every", "step_factor", "min_lr", "hold_final", "eval_every", "threads", "record_every"]

    static func parseModel(_ node: ManifestNode, tasks: [ManifestTask]?) -> ModelSection? {
        guard let model = node.mapping(allowed: modelKeys) else { return nil }
        let reading = node.reading
        let architectureName = model.required("architecture")?.choice(["hard_sharing", "task_hierarchy", "ubernet"])
        let trunk = model.required("trunk")?.list().map { $0.map { $0.integer(atLeast: 1) } }
        let activation = model.optional("activation", default: .relu) {
            $0.choice(Activation.Kind.allCases.map(\.rawValue)).flatMap(Activation.Kind.init)
        }
        let dropout = model.optional("dropout", default: 0) { $0.number(in: 0...0.99, "a dropout rate in [0, 0.99]") }
        let image = model["image"].flatMap(parseImage)
        let convolutions = model["conv"].flatMap { parseConvolutions($0) } ?? []
        if !convolutions.isEmpty, model["image"] == nil, let field = model["conv"] {
            reading.report(field.path, field.node, "convolutions need 'model.image: [height, width, channels]' to read the inputs as images")
        }
        guard let architectureName, let trunk, !trunk.contains(where: { $0 == nil }), let activation, let dropout else { return nil }
        let widths = trunk.compactMap { $0 }
        if widths.isEmpty && convolutions.isEmpty, let field = model["trunk"] {
            reading.report(field.path, field.node, "expected at least one layer width (or convolutions)")
            return nil
        }

        var architecture = NetworkSpec.Architecture.hardSharing
        switch architectureName {
        case "ubernet": architecture = .ubernet
        case "task_hierarchy":
            guard let tasks else { return nil }
            let names = tasks.map(\.spec.name)
            var order = Array(names.indices)
            if let field = model["task_order"] {
                guard let listed = field.list()?.map({ $0.choice(names) }), !listed.contains(where: { $0 == nil }) else { return nil }
                let chosen = listed.compactMap { $0 }
                guard chosen.count == names.count, Set(chosen).count == names.count else {
                    reading.report(field.path, field.node, "expected every task once (\(names.joined(separator: ", "))), got \(chosen.joined(separator: ", "))")
                    return nil
                }
                order = chosen.map { names.firstIndex(of: $0)! }
            }
            let blocks = convolutions.count + widths.count
            if blocks != names.count {
                reading.report("\(node.path).trunk", model["trunk"]?.node,
                               "a task hierarchy needs one block per task: \(names.count) tasks, \(blocks) blocks (convolutions + trunk widths)")
                return nil
            }
            architecture = .taskHierarchy(order: order)
        default: break
        }
        if let field = model["task_order"], architectureName != "task_hierarchy" {
            reading.report(field.path, field.node, "'task_order' applies to the task_hierarchy architecture only")
        }
        return ModelSection(architecture: architecture, trunk: widths, convolutions: convolutions, image: image,
                            activation: activation, dropout: Float(dropout))
    }

    private static func parseImage(_ node: ManifestNode) -> [Int]? {
        guard let items = node.list() else { return nil }
        let values = items.map { $0.integer(atLeast: 1) }
        guard values.count == 3, !values.contains(where: { $0 == nil }) else {
            if values.count != 3 { node.reading.report(node.path, node.node, "expected [height, width, channels]") }
            return nil
        }
        return values.compactMap { $0 }
    }

    private static func parseConvolutions(_ node: ManifestNode) -> [NetworkSpec.ConvolutionBlock]? {
        guard let items = node.list() else { return nil }
        let blocks = items.map { item -> NetworkSpec.ConvolutionBlock? in
            guard let block = item.mapping(allowed: ["filters", "kernel", "padding", "pool", "pool_kind"]) else { return nil }
            let filters = block.required("filters")?.integer(atLeast: 1)
            let kernel = block.required("kernel")?.integer(atLeast: 1)
            let padding = block.optional("padding", default: 0) { $0.integer(atLeast: 0) }
            let pool = block.optional("pool", default: 2) { $0.integer(atLeast: 1) }
            let poolKind = block.optional("pool_kind", default: .max) { $0.choice(["max", "average"]).flatMap(Pooling2D.Kind.init) }
            guard let filters, let kernel, let padding, let pool, let poolKind else { return nil }
            return NetworkSpec.ConvolutionBlock(filters: filters, kernel: kernel, padding: padding, pool: pool, poolKind: poolKind)
        }
        return blocks.contains(where: { $0 == nil }) ? nil : blocks.compactMap { $0 }
    }

    static func parseTrain(_ node: ManifestNode, data: DataSection) -> TrainSection? {
        guard let train = node.mapping(allowed: trainKeys) else { return nil }
        let reading = node.reading
        let batchSize = train.required("batch_size")?.integer(atLeast: 1)
        if let batchSize, batchSize > data.trainSize {
            reading.report("\(node.path).batch_size", train["batch_size"]?.node, "batch size \(batchSize) exceeds data.train_size \(data.trainSize)")
        }
        let length = parseLength(train, batchSize: batchSize, data: data)
        let steps = length?.steps
        let threads = train.optional("threads", default: 1) { $0.integer(atLeast: 1) }
        let recordEvery = train.optional("record_every", default: 1) { $0.integer(atLeast: 1) }
        let optimizerName = train.required("optimizer")?.choice(["adam", "adamw", "sgd"])
        let learningRate = train.required("lr")?.number(in: 1e-12...1e3, "a learning rate in (0, 1000]")
        let momentum = train.optional("momentum", default: 0) { $0.number(in: 0...0.999999, "a momentum in [0, 1)") }
        if let field = train["momentum"], optimizerName != "sgd" {
            reading.report(field.path, field.node, "'momentum' applies to sgd only")
        }
        // AdamW's default decay is PyTorch's, 0.01.
        let weightDecay = train.optional("weight_decay", default: optimizerName == "adamw" ? 0.01 : 0) {
            $0.number(in: 0...10, "a weight decay in [0, 10]")
        }
        let warmup = train.optional("warmup_steps", default: 0) { $0.integer(atLeast: 0) }
        let scheduleName = train.optional("schedule", default: "constant") { $0.choice(["constant", "step", "cosine"]) }
        let stepEvery = train.optional("step_every", default: nil) { $0.integer(atLeast: 1) }
        let stepFactor = train.optional("step_factor", default: 0.1) { $0.number(in: 0...1, "a factor in [0, 1]") }
        let minimum = train.optional("min_lr", default: 0) { $0.number(in: 0...1e3, "a learning rate ≥ 0") }
        let holdFinal = train.optional("hold_final", default: 0) { $0.number(in: 0...0.9, "a fraction of the steps in [0, 0.9]") }
        for (key, owner) in [("step_every", "step"), ("step_factor", "step"), ("min_lr", "cosine"), ("hold_final", "cosine")] {
            if let field = train[key], scheduleName != owner {
                reading.report(field.path, field.node, "'\(key)' applies to 'schedule: \(owner)' only")
            }
        }
        if scheduleName == "step", train["step_every"] == nil { _ = train.required("step_every") }
        if scheduleName == "cosine", let holdFinal, holdFinal > 0, minimum == 0, let field = train["hold_final"] {
            reading.report(field.path, field.node, "'hold_final' holds min_lr, which is 0 here: the held steps would not train; give min_lr > 0")
        }
        let evaluationInterval = train.required("eval_every")?.integer(atLeast: 1)
        if let warmup, let steps, warmup >= steps, let field = train["warmup_steps"] {
            reading.report(field.path, field.node, "expected fewer warm-up steps than steps (\(steps)), got \(warmup)")
        }

        let decay: LearningRateSchedule.Decay? = switch scheduleName {
        case "constant": .constant
        case "step": stepEvery.flatMap { $0 }.flatMap { every in stepFactor.map { .step(every: every, factor: $0) } }
        case "cosine": minimum.flatMap { minimum in holdFinal.map { .cosine(minimum: minimum, holdFinal: $0) } }
        default: nil
        }
        var optimizer: OptimizerKind?
        if let optimizerName, let weightDecay, let momentum {
            let decay = Float(weightDecay)
            optimizer = switch optimizerName {
            case "adamw": .adamW(beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: decay)
            case "sgd": .sgd(momentum: Float(momentum), weightDecay: decay)
            default: .adam(beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: decay)
            }
        }
        guard let steps, let batchSize, let optimizer, let learningRate, let evaluationInterval, let warmup, let decay,
              let threads, let recordEvery, warmup < steps else { return nil }
        return TrainSection(steps: steps, epochs: length?.epochs, batchSize: batchSize, optimizer: optimizer,
                            schedule: LearningRateSchedule(base: learningRate, warmupSteps: warmup, decay: decay, totalSteps: steps),
                            evaluationInterval: evaluationInterval, threads: threads, recordEvery: recordEvery)
    }

    /// `steps`, or `epochs` × the steps of an epoch (whole batches of the training split): one of the
    /// two; `epochs` is kept when given (the quick form counts them in its own split's batches).
    private static func parseLength(_ train: ManifestMapping, batchSize: Int?, data: DataSection) -> (steps: Int, epochs: Int?)? {
        switch (train["steps"], train["epochs"]) {
        case let (steps?, nil): return steps.integer(atLeast: 1).map { ($0, nil) }
        case let (nil, epochs?):
            guard let epochs = epochs.integer(atLeast: 1), let batchSize else { return nil }
            return (epochs * max(data.trainSize / batchSize, 1), epochs)
        case let (_, epochs?):
            train.owner.reading.report(epochs.path, epochs.node, "give either 'steps' or 'epochs', not both")
            return nil
        case (nil, nil):
            train.owner.reading.report(train.owner.path.isEmpty ? "steps" : "\(train.owner.path).steps", train.owner.node,
                                       "missing required key 'steps' (or 'epochs')")
            return nil
        }
    }
}
