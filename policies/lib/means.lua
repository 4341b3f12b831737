--- Running means of a vector signal: STCH's nadir point is each task's mean loss over one epoch, whatever
-- that epoch's length. (DWA's means over fixed periods of steps are windows.period_mean.)
local M = {}

local RunningMean = {}
RunningMean.__index = RunningMean

--- An empty running mean.
function M.running_mean()
  return setmetatable({ sums = {}, count = 0 }, RunningMean)
end

--- Adds one step's values.
function RunningMean:add(v)
  local sums = self.sums
  for t = 1, #v do sums[t] = (sums[t] or 0) + v[t] end
  self.count = self.count + 1
end

--- The mean of the values added (a new array), or nil before the first.
function RunningMean:mean()
  if self.count == 0 then return nil end
  local mean = {}
  for t = 1, #self.sums do mean[t] = self.sums[t] / self.count end
  return mean
end

return M
