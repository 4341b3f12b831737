import FulcrumTestSupport

/// A small valid manifest; `policies` is the YAML of the policies section's entries.
func tinyManifest(name: String = "tiny", steps: Int = 40, seeds: String = "[1, 2]", policies: String) -> String {
    """
    name: \(name)
    data:
      dataset: synthetic
      input_dim: 6
      train_size: 128
      val_size: 64
    tasks:
      - name: coarse
        type: classification
        classes: 3
      - name: level
        type: regression
        outputs: 1
        tolerance: 0.3
    model:
      architecture: hard_sharing
      trunk: [8]
    train:
      steps: \(steps)
      batch_size: 16
      optimizer: adam
      lr: 0.01
      eval_every: 20
    seeds: \(seeds)
    policies:
    \(policies)
    """
}
