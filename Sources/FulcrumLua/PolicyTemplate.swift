import Foundation

/// `fulcrum policy new NAME`: a documented starting point that already passes `fulcrum policy check`.
public enum PolicyTemplate {
    public static func source(name: String) -> String {
        """
        --- \(name) — one line saying what the policy does.
        -- Reference: Authors, "Title", Venue Year.
        --
        -- Formula (plain text, as in the paper):
        --   w_t = ...
        --
        -- Needs:     list the signals beyond the losses (kpi, val_kpi, val_loss, grad_norm, gram, rep_gram).
        -- Options:   temperature = 1.0   what it does, and where the default comes from

        local P = {
          name = "\(name)",
          needs = {},                      -- e.g. { "kpi" }; only these arrive in s
          defaults = { temperature = 1.0 }, -- every option; the manifest may override them
        }

        -- Once per run. self holds the options (self.temperature) and whatever state you keep.
        -- ctx: tasks, kinds, options, total_steps, steps_per_epoch, seed.
        function P:init(ctx)
          self.steps_seen = 0
        end

        -- Every step. s: tasks, step, epoch, progress, lr, loss[t], initial_loss[t], weights[t] and the
        -- signals in needs. Return one finite weight >= 0 per task (or { shared = {...}, heads = {...} }).
        -- Globals are off limits: use locals or fields of self. random() is seeded from the run.
        function P:weights(s)
          self.steps_seen = self.steps_seen + 1
          -- Example: a softmax over the loss ratios L_t / L_t(0), scaled to sum to T.
          local T, exps, total = #s.tasks, {}, 0
          for t = 1, T do
            exps[t] = math.exp((s.loss[t] / s.initial_loss[t]) / self.temperature)
            total = total + exps[t]
          end
          local w = {}
          for t = 1, T do
            w[t] = T * exps[t] / total
          end
          return w
        end

        return P

        """
    }

    /// Writes `directory/NAME.lua`; refuses to overwrite and to take a name that is not a plain identifier.
    public static func write(name: String, directory: String = "policies") throws -> String {
        guard name.range(of: "^[A-Za-z_][A-Za-z0-9_]*$", options: .regularExpression) != nil else {
            throw TemplateError("policy name '\(name)' must be letters, digits and '_', not starting with a digit")
        }
        let path = "\(directory)/\(name).lua"
        guard !FileManager.default.fileExists(atPath: path) else { throw TemplateError("\(path) already exists; choose another name") }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try source(name: name).write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    public struct TemplateError: Error, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }
}
