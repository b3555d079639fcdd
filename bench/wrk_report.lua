-- wrk script for bench/web.py: prints one machine-readable line at the end of a run
-- (wrk's own --latency table has no 95th percentile).
--
-- With arguments (after `--`) each request is a POST instead of wrk's GET:
--   wrk ... -s bench/wrk_report.lua URL -- <body>
-- where every "{nonce}" in <body> becomes a value no other request of the run uses
-- (the feedback form's one-time nonce, so every POST counts as a new answer).

local counter = 0
local threads = {}
local body_template = nil

function setup(thread)
  thread:set("thread_id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  if #args > 0 then
    body_template = args[1]
  end
  math.randomseed(os.time() + (thread_id or 0) * 7919)
end

function request()
  if body_template == nil then
    return wrk.format(nil)
  end
  counter = counter + 1
  local nonce = string.format("bench-%d-%d-%d", thread_id or 0, counter, math.random(1, 1000000000))
  local body = string.gsub(body_template, "{nonce}", nonce)
  return wrk.format("POST", nil, nil, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d p50_us=%d p95_us=%d p99_us=%d "
      .. "errors_connect=%d errors_read=%d errors_write=%d errors_status=%d errors_timeout=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), e.connect, e.read, e.write, e.status, e.timeout))
end
