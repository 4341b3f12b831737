--- Recent values a policy keeps: sliding windows with cheap quantiles (DTP's percentile smoothing, the
-- bandit's reward rescaling) and means over consecutive periods of steps (the epoch means of DWA and
-- STCH's nadir point).
local M = {}

local Window = {}
Window.__index = Window

--- The last `size` values pushed, kept both in arrival order (a ring) and sorted, so that a push costs
-- two binary searches and two table moves, and a quantile costs nothing: no sort per step.
function M.window(size)
  assert(size >= 1 and size == math.floor(size), "window: size must be a whole number ≥ 1")
  return setmetatable({ size = size, ring = {}, sorted = {}, oldest = 1 }, Window)
end

-- The first index i with sorted[i] > x (or sorted[i] >= x when `lower`), by binary search.
local function search(sorted, x, lower)
  local low, high = 1, #sorted + 1
  while low < high do
    local middle = (low + high) // 2
    local value = sorted[middle]
    if value < x or (not lower and value == x) then low = middle + 1 else high = middle end
  end
  return low
end

--- Adds x; once the window is full, the oldest value leaves.
function Window:push(x)
  if #self.ring == self.size then
    local old = self.ring[self.oldest]
    table.remove(self.sorted, search(self.sorted, old, true))
    self.ring[self.oldest] = x
    self.oldest = self.oldest % self.size + 1
  else
    self.ring[#self.ring + 1] = x
  end
  table.insert(self.sorted, search(self.sorted, x, false), x)
end

--- How many values the window holds (at most its size).
function Window:count()
  return #self.sorted
end

--- The q-quantile (q in [0, 1]) of the values in the window, type 7 like numeric.quantile.
function Window:quantile(q)
  local sorted = self.sorted
  assert(#sorted > 0, "window: quantile of an empty window")
  local position = 1 + q * (#sorted - 1)
  local below = math.floor(position)
  local above = math.min(below + 1, #sorted)
  return sorted[below] + (position - below) * (sorted[above] - sorted[below])
end

local PeriodMean = {}
PeriodMean.__index = PeriodMean

--- Means of a vector signal over consecutive periods of `period` steps (an epoch: ctx.steps_per_epoch).
function M.period_mean(period)
  assert(period >= 1 and period == math.floor(period), "period_mean: period must be a whole number ≥ 1")
  return setmetatable({ period = period, sums = {}, count = 0 }, PeriodMean)
end

--- Adds one step's values; returns the period's mean (a new array) when this step completes it, else nil.
function PeriodMean:add(v)
  local sums = self.sums
  for t = 1, #v do sums[t] = (sums[t] or 0) + v[t] end
  self.count = self.count + 1
  if self.count < self.period then return nil end
  local mean = {}
  for t = 1, #v do mean[t] = sums[t] / self.count end
  self.sums, self.count = {}, 0
  return mean
end

return M
