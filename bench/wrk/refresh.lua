-- Scenario 2: refresh-token requests with rotation. Each token is usable once: a pool is
-- loaded from $BENCH_TOKENS (one per line, at least one per connection); every request
-- takes one, every 200 response gives back the rotated one. A token lost to an error is
-- not replaced, and a request with an empty pool is sent with an invalid token (counted
-- as a status error), so errors show up in the figures instead of being hidden.
package.path = os.getenv("BENCH_LUA_DIR") .. "/?.lua;" .. package.path
local report = require("report")

local pool = {}
local headers = {
  ["Content-Type"] = "application/x-www-form-urlencoded",
  ["Authorization"] = "Basic " .. os.getenv("BENCH_BASIC"),
}
local extra = os.getenv("BENCH_BODY_EXTRA") or ""

function init(args)
  for line in io.lines(os.getenv("BENCH_TOKENS")) do
    if #line > 0 then pool[#pool + 1] = line end
  end
end

function request()
  local token = table.remove(pool) or "pool-exhausted"
  return wrk.format("POST", nil, headers, "grant_type=refresh_token&refresh_token=" .. token .. extra)
end

function response(status, hdrs, body)
  if status == 200 then
    local token = body:match('"refresh_token"%s*:%s*"([^"]+)"')
    if token then pool[#pool + 1] = token end
  end
end

done = report.done
