--- Small dense linear algebra for the gradient-based policies (Gram matrices of T ≤ ~10 tasks).
-- A matrix is an array of rows: A[i][j] is row i, column j. Vectors are plain arrays.
-- Pure functions: each returns new tables and leaves its arguments alone.
local n = require("numeric")

local M = {}

--- The n×n identity matrix.
function M.identity(size)
  local I = {}
  for i = 1, size do
    I[i] = n.fill(size, 0)
    I[i][i] = 1
  end
  return I
end

--- Aᵀ (A may be rectangular).
function M.transpose(A)
  local rows, columns, At = #A, #A[1], {}
  for j = 1, columns do
    At[j] = {}
    for i = 1, rows do At[j][i] = A[i][j] end
  end
  return At
end

--- A·B (A is r×k, B is k×c).
function M.matmul(A, B)
  local inner, columns, C = #B, #B[1], {}
  for i = 1, #A do
    local row = {}
    for j = 1, columns do
      local total = 0
      for k = 1, inner do total = total + A[i][k] * B[k][j] end
      row[j] = total
    end
    C[i] = row
  end
  return C
end

local function copy_matrix(A)
  local C = {}
  for i = 1, #A do C[i] = n.copy(A[i]) end
  return C
end

--- Solves the principal system A[S][S] x = b of `size` rows (S an array of at least `size` indices into
-- A, of which the first `size` count; nil: the leading size×size block) by Gaussian elimination with partial pivoting, inside `work` (a table whose `rows` and `x` are
-- reused from call to call, so a solver calling this in a loop allocates nothing). Returns work.x —
-- overwritten by the next call with the same work — or nil when the matrix is singular: a pivot no
-- larger than `tolerance` times the largest |A_ij| (so the test does not depend on the scale of A,
-- which for a Gram matrix is the square of the gradients' scale).
function M.solve_in(A, b, S, size, tolerance, work)
  work.rows, work.x = work.rows or {}, work.x or {}
  local a, x, largest = work.rows, work.x, 0
  for i = 1, size do
    local row, source = a[i] or {}, A[S and S[i] or i]
    a[i] = row
    for j = 1, size do
      local v = source[S and S[j] or j]
      row[j] = v
      largest = math.max(largest, math.abs(v))
    end
    x[i] = b[i]
  end
  local threshold = tolerance * largest
  for column = 1, size do
    local pivot, best = column, math.abs(a[column][column])
    for row = column + 1, size do
      local v = math.abs(a[row][column])
      if v > best then pivot, best = row, v end
    end
    if not (best > threshold) then return nil end   -- also catches NaN and A = 0
    a[column], a[pivot] = a[pivot], a[column]
    x[column], x[pivot] = x[pivot], x[column]
    local top, diagonal = a[column], a[column][column]
    for row = column + 1, size do
      local r = a[row]
      local factor = r[column] / diagonal
      if factor ~= 0 then
        for k = column + 1, size do r[k] = r[k] - factor * top[k] end
        x[row] = x[row] - factor * x[column]
      end
    end
  end
  for row = size, 1, -1 do
    local r, total = a[row], x[row]
    for k = row + 1, size do total = total - r[k] * x[k] end
    x[row] = total / r[row]
  end
  return x
end

--- Solves A x = b; returns a new x, or nil when A is singular (a pivot ≤ `tolerance`, default 1e-12,
-- times the largest |A_ij|; see solve_in).
function M.solve(A, b, tolerance)
  local x = M.solve_in(A, b, nil, #b, tolerance or 1e-12, {})
  return x and n.copy(x)
end

-- One Jacobi rotation in the (p, q) plane: zeroes a[p][q] and accumulates the rotation into v's
-- columns (Numerical Recipes §11.1: t = sgn(θ) / (|θ| + √(θ² + 1)), θ = (a_qq − a_pp) / 2a_pq).
local function rotate(a, v, size, p, q)
  local apq = a[p][q]
  local theta = (a[q][q] - a[p][p]) / (2 * apq)
  local t = (theta >= 0 and 1 or -1) / (math.abs(theta) + math.sqrt(theta * theta + 1))
  local c = 1 / math.sqrt(t * t + 1)
  local s = t * c
  a[p][p] = a[p][p] - t * apq
  a[q][q] = a[q][q] + t * apq
  a[p][q], a[q][p] = 0, 0
  for r = 1, size do
    if r ~= p and r ~= q then
      local arp, arq = a[r][p], a[r][q]
      a[r][p] = c * arp - s * arq
      a[p][r] = a[r][p]
      a[r][q] = s * arp + c * arq
      a[q][r] = a[r][q]
    end
    local vrp, vrq = v[r][p], v[r][q]
    v[r][p] = c * vrp - s * vrq
    v[r][q] = s * vrp + c * vrq
  end
end

--- Symmetric eigendecomposition by cyclic Jacobi rotations: A = V · diag(values) · Vᵀ.
-- Returns `values` in ascending order and `V` as a matrix (array of rows) whose COLUMNS are the
-- eigenvectors: V[i][k] is component i of the eigenvector of values[k] (numpy.linalg.eigh's layout).
-- Only the upper triangle's symmetric counterpart is assumed; A must be symmetric. An off-diagonal
-- entry is rotated away while |a_pq| > 1e-15 · √|a_pp · a_qq|, which keeps the small eigenvalues of a
-- positive semi-definite matrix (a Gram matrix) accurate relative to themselves, not only to ‖A‖.
function M.eigensym(A)
  local size = #A
  local a, v = copy_matrix(A), M.identity(size)
  for _ = 1, 100 do
    local rotated = false
    for p = 1, size - 1 do
      for q = p + 1, size do
        local apq = a[p][q]
        if apq ~= 0 and math.abs(apq) > 1e-15 * math.sqrt(math.abs(a[p][p] * a[q][q])) then
          rotate(a, v, size, p, q)
          rotated = true
        end
      end
    end
    if not rotated then break end
  end
  local order = {}
  for k = 1, size do order[k] = k end
  table.sort(order, function(i, j) return a[i][i] < a[j][j] end)
  local values, V = {}, {}
  for k = 1, size do values[k] = a[order[k]][order[k]] end
  for i = 1, size do
    V[i] = {}
    for k = 1, size do V[i][k] = v[i][order[k]] end
  end
  return values, V
end

-- F(w) = ½ wᵀGw + Σ_t h(w_t) with h'(w) = −w^(−1/α): h = −log w for α = 1, −α/(α−1) · w^((α−1)/α) else.
local function fair_potential(G, w, alpha)
  local f = 0.5 * n.quadratic(G, w)
  for t = 1, #w do
    if alpha == 1 then
      f = f - math.log(w[t])
    else
      f = f - alpha / (alpha - 1) * w[t] ^ ((alpha - 1) / alpha)
    end
  end
  return f
end

--- The α-fair allocation: w > 0 with (G w)_t = w_t^(−1/α) for every t (FairGrad; α = 1 is Nash-MTL's
-- bargaining condition (Gw)_t = 1/w_t). G is a Gram matrix (symmetric positive semi-definite), α > 0.
-- w is the unique minimiser of the strictly convex F(w) = ½ wᵀGw + Σ_t h(w_t) above (its Hessian is
-- G + diag(w^(−1/α−1)/α), positive definite for w > 0), found by Newton's method with a backtracking
-- (Armijo) line search that never leaves w > 0. `start` (optional, > 0) is first rescaled to the best
-- point on its ray. Stops when max_t |w_t^(1/α) (Gw)_t − 1| ≤ tolerance (default 1e-12).
-- Returns w and the number of Newton steps, or nil and a reason when there is no solution (the
-- potential is unbounded below when a non-negative combination of the gradients vanishes, e.g.
-- opposite gradients or a zero gradient) or it was not reached in `max_iterations` (default 100).
function M.alpha_fair(G, alpha, start, tolerance, max_iterations)
  local size, p = #G, 1 / alpha
  tolerance, max_iterations = tolerance or 1e-12, max_iterations or 100
  local w = n.fill(size, 1)
  if start then
    local usable = #start == size
    for t = 1, size do usable = usable and start[t] > 0 and start[t] < math.huge end
    if usable then w = n.copy(start) end
  end
  -- Best point c·w on the ray: d/dc F(c w) = c wᵀGw − c^(−1/α) Σ w_t^(1−1/α) = 0.
  local q = n.quadratic(G, w)
  if q > 0 then
    local s = 0
    for t = 1, size do s = s + w[t] ^ (1 - p) end
    local c = (s / q) ^ (alpha / (alpha + 1))
    for t = 1, size do w[t] = c * w[t] end
  end

  for iteration = 0, max_iterations do
    local Gw = n.matvec(G, w)
    local worst = 0
    for t = 1, size do worst = math.max(worst, math.abs(w[t] ^ p * Gw[t] - 1)) end
    if worst <= tolerance then return w, iteration end
    if iteration == max_iterations or worst ~= worst then break end

    local gradient, H = {}, copy_matrix(G)
    for t = 1, size do
      gradient[t] = Gw[t] - w[t] ^ (-p)
      H[t][t] = H[t][t] + p * w[t] ^ (-p - 1)
    end
    local minus = {}
    for t = 1, size do minus[t] = -gradient[t] end
    local d = M.solve(H, minus, 1e-15)
    if not d then return nil, "singular Newton system" end

    local step = 1
    for t = 1, size do
      if d[t] < 0 then step = math.min(step, 0.99 * w[t] / -d[t]) end   -- stay inside w > 0
    end
    local slope = n.dot(gradient, d)            -- −(Newton decrement)², < 0
    local f0 = fair_potential(G, w, alpha)
    local trial = {}
    while true do
      for t = 1, size do trial[t] = w[t] + step * d[t] end
      -- Near the solution the decrease is below the rounding of F: take the (quadratically converging) step.
      if -slope <= 1e-10 * (1 + math.abs(f0)) then break end
      if fair_potential(G, trial, alpha) <= f0 + 1e-4 * step * slope then break end
      step = step / 2
      if step < 1e-30 then return nil, "line search failed" end
    end
    w = trial
  end
  return nil, "no convergence in " .. max_iterations .. " Newton steps"
end

return M
