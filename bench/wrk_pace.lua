-- A fixed request rate for wrk 4 (Debian has no wrk2), used by bench_web.py:
--
--   wrk -t T -c C -d D --latency -s bench/wrk_pace.lua URL -- RATE_PER_THREAD
--
-- Each wrk thread keeps a schedule of send times RATE_PER_THREAD a second
-- apart, from its first request on. Before every request wrk asks delay();
-- the connection asking takes the next free time on the schedule and waits
-- until then (wrk rounds the wait down to whole milliseconds). The
-- schedule never slips: a time already past is taken at once, so the rate
-- holds as long as some connection is free.
--
-- wrk starts its latency clock when it writes the request, after that
-- wait. A request that could not go at its time because every connection
-- was still busy is therefore measured from when it went, not from when it
-- should have gone (coordinated omission). So the thread also counts how
-- far behind schedule each request was taken: when nothing is behind, the
-- latencies wrk prints are those of a steady RATE; when some are, done()
-- says how many and by how much, and the run is not the fixed rate it
-- claims to be.

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } l2w_pace_timespec;
int clock_gettime(int clock_id, l2w_pace_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local ts = ffi.new("l2w_pace_timespec")

local function now_ms()
    ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
    return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

-- Per thread (each wrk thread runs its own copy of these globals).
interval_ms = nil
next_slot = nil
scheduled = 0
behind_1ms = 0      -- requests taken more than 1 ms after their time
behind_10ms = 0     -- ... more than 10 ms after it
max_behind_ms = 0

function init(args)
    local rate = tonumber(args[1])
    if not rate or rate <= 0 then
        error("wrk_pace.lua: give the rate per thread after --, e.g. -- 1000")
    end
    interval_ms = 1000 / rate
end

function delay()
    local now = now_ms()
    if not next_slot then
        next_slot = now
    end
    local slot = next_slot
    next_slot = slot + interval_ms
    scheduled = scheduled + 1
    local wait = slot - now
    if wait <= 0 then
        local behind = -wait
        if behind > 1 then behind_1ms = behind_1ms + 1 end
        if behind > 10 then behind_10ms = behind_10ms + 1 end
        if behind > max_behind_ms then max_behind_ms = behind end
        return 0
    end
    return math.floor(wait)
end

local threads = {}

function setup(thread)
    table.insert(threads, thread)
end

-- One machine-readable line for bench_web.py (wrk's own report comes first).
function done(summary, latency, requests)
    local b1, b10, maxb = 0, 0, 0
    for _, t in ipairs(threads) do
        b1 = b1 + t:get("behind_1ms")
        b10 = b10 + t:get("behind_10ms")
        maxb = math.max(maxb, t:get("max_behind_ms"))
    end
    local e = summary.errors
    io.write(string.format(
        "L2W_PACE requests=%d duration_us=%d bytes=%d p50_us=%d p90_us=%d p99_us=%d p999_us=%d max_us=%d"
            .. " mean_us=%.1f err_connect=%d err_read=%d err_write=%d err_status=%d err_timeout=%d"
            .. " behind_1ms=%d behind_10ms=%d max_behind_ms=%.1f\n",
        summary.requests, summary.duration, summary.bytes,
        latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9),
        latency.max, latency.mean, e.connect, e.read, e.write, e.status, e.timeout, b1, b10, maxb))
end
