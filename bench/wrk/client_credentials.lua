-- Scenario 1: client_credentials token requests, client_secret_basic.
-- env: BENCH_LUA_DIR, BENCH_REPORT, BENCH_BASIC (base64 of id:secret), BENCH_BODY_EXTRA
package.path = os.getenv("BENCH_LUA_DIR") .. "/?.lua;" .. package.path
local report = require("report")

wrk.method = "POST"
wrk.body = "grant_type=client_credentials" .. (os.getenv("BENCH_BODY_EXTRA") or "")
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "Basic " .. os.getenv("BENCH_BASIC")

done = report.done
