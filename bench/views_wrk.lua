-- bench/views_wrk.lua — wrk script for bench/views_wrk.sh: GET /v1/customers/{id} round-robin
-- over the ids in $IDS with the bearer key in $KEY; prints p50/p90/p99/p99.9 and errors.
local ids = {}
for line in io.lines(os.getenv("IDS")) do ids[#ids + 1] = line end
local key = os.getenv("KEY")
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/v1/customers/" .. ids[(i % #ids) + 1], {["Authorization"] = "Bearer " .. key})
end
done = function(summary, latency, requests)
  io.write(string.format("  %d requests, errors connect/read/write/timeout %d/%d/%d/%d, non-2xx %d\n",
    summary.requests, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.timeout, summary.errors.status))
  io.write(string.format("  p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, p99.9 %.1f ms\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency:percentile(99.9) / 1000))
end
