-- Scenario 5: discovery document and JWKS, alternately.
-- env: BENCH_LUA_DIR, BENCH_REPORT, BENCH_DISCOVERY_PATH, BENCH_JWKS_PATH
package.path = os.getenv("BENCH_LUA_DIR") .. "/?.lua;" .. package.path
local report = require("report")

local paths = { os.getenv("BENCH_DISCOVERY_PATH"), os.getenv("BENCH_JWKS_PATH") }
local n = 0

function request()
  n = n + 1
  return wrk.format("GET", paths[(n % 2) + 1])
end

done = report.done
