-- wrk script for bench/compare.sh: prints one machine-readable line after the run.
-- Latencies are in microseconds; errors count connect/read/write failures, timeouts and
-- non-2xx/3xx responses.
done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    "WRK_RESULT seconds=%.3f requests=%d rps=%.1f p50_us=%d p99_us=%d max_us=%d bytes=%d " ..
    "errors=%d connect=%d read=%d write=%d status=%d timeout=%d\n",
    seconds, summary.requests, summary.requests / seconds,
    latency:percentile(50), latency:percentile(99), latency.max, summary.bytes,
    e.connect + e.read + e.write + e.status + e.timeout,
    e.connect, e.read, e.write, e.status, e.timeout))
end
