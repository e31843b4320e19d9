-- wrk script: S2S create-payment, POST /v2/{PSPID}/payments, each request with its own
-- X-GCS-Idempotence-Key. Signed (OpenPSP): keys and v1HMAC signatures are read from
-- BENCH_REQUESTS, lines "<key> <signature>" written by bench/sign_requests.py, each wrk
-- thread taking every BENCH_THREADS-th line. Unsigned (the baseline): no BENCH_REQUESTS;
-- keys are made here. Counts answers other than 201 and keys sent twice (a signed run
-- that outlives its file replays keys, which the server answers from its idempotence
-- record: such figures are not valid), reported by done() on a "bench-check:" line.
local path = os.getenv("BENCH_PATH") or "/v2/bench/payments"
local date = os.getenv("BENCH_DATE") or ""
local key_id = os.getenv("BENCH_API_KEY_ID") or ""
local file = os.getenv("BENCH_REQUESTS")
local prefix = os.getenv("BENCH_KEY_PREFIX") or "k"
local nthreads = tonumber(os.getenv("BENCH_THREADS") or "1")
-- BENCH_RATE (requests/second, all threads together): paced instead of as fast as the
-- server answers. Each thread hands its connections send times one interval apart; a
-- thread that falls behind does not send a burst to catch up.
local rate = tonumber(os.getenv("BENCH_RATE") or "0")

local threads = {}
local created = 0

function setup(thread)
  thread:set("id", created)
  table.insert(threads, thread)
  created = created + 1
end

function init(args)
  keys, sigs = {}, {}
  sent, non201, reused, first_error = 0, 0, 0, ""
  if file then
    local i = 0
    for line in io.lines(file) do
      if i % nthreads == id then
        local k, s = line:match("^(%S+) (%S+)$")
        keys[#keys + 1], sigs[#sigs + 1] = k, s
      end
      i = i + 1
    end
    if #keys == 0 then
      error("no signed requests for thread " .. id .. " in " .. file)
    end
  end
end

if rate > 0 then
  local ffi = require("ffi")
  ffi.cdef[[
    typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
    int clock_gettime(int clock, bench_timespec *now);
  ]]
  local now = ffi.new("bench_timespec")
  local function now_ms()
    ffi.C.clock_gettime(1, now) -- CLOCK_MONOTONIC
    return tonumber(now.tv_sec) * 1000 + tonumber(now.tv_nsec) / 1e6
  end
  local interval = 1000 * nthreads / rate
  local next_at = nil

  function delay()
    local t = now_ms()
    if next_at == nil or next_at < t then
      next_at = t
    end
    local wait = next_at - t
    next_at = next_at + interval
    return math.floor(wait)
  end
end

function request()
  sent = sent + 1
  local key, sig
  if file then
    local i = sent
    if i > #keys then
      reused = reused + 1
      i = (i - 1) % #keys + 1
    end
    key, sig = keys[i], sigs[i]
  else
    key = prefix .. id .. "-" .. sent
  end
  local headers = {
    ["Content-Type"] = "application/json",
    ["Date"] = date,
    ["X-GCS-Idempotence-Key"] = key,
  }
  if sig then
    headers["Authorization"] = "GCS v1HMAC:" .. key_id .. ":" .. sig
  end
  local body = '{"order":{"amountOfMoney":{"amount":1000,"currencyCode":"EUR"},'
    .. '"references":{"merchantReference":"bench-' .. key .. '"}},'
    .. '"cardPaymentMethodSpecificInput":{"card":{"cardNumber":"4111111111111111",'
    .. '"cvv":"123","expiryDate":"1230","cardholderName":"Bench"},'
    .. '"authorizationMode":"SALE","paymentProductId":1}}'
  return wrk.format("POST", path, headers, body)
end

function response(status, headers, body)
  if status ~= 201 then
    non201 = non201 + 1
    if first_error == "" then
      first_error = status .. " " .. string.sub(body or "", 1, 300)
    end
  end
end

function done(summary, latency, requests)
  local bad, again, sample = 0, 0, ""
  for _, t in ipairs(threads) do
    bad = bad + (t:get("non201") or 0)
    again = again + (t:get("reused") or 0)
    local e = t:get("first_error")
    if sample == "" and e and e ~= "" then
      sample = e
    end
  end
  io.write(string.format("bench-check: responses %d non201 %d reused %d\n",
    summary.requests, bad, again))
  if sample ~= "" then
    io.write("bench-first-error: " .. (string.gsub(sample, "%s+", " ")) .. "\n")
  end
end
