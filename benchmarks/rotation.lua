-- Sends the global `requests` ({method, path, headers, body parts or nil}) in turn. Thread k of
-- THREADS starts k/THREADS of the way through the list, so threads work on different rows. A
-- body's parts are joined with a value unique to the request ("<thread>-<count>").
local threads_started = 0
local prepared = {}
local position = 0
local sent = 0

function setup(thread)
  thread:set("thread_index", threads_started)
  threads_started = threads_started + 1
end

function init(args)
  for i, r in ipairs(requests) do
    if r[4] == nil or #r[4] == 1 then
      prepared[i] = wrk.format(r[1], r[2], r[3], r[4] and r[4][1])
    end
  end
  position = math.floor(#requests * (thread_index or 0) / THREADS)
end

function request()
  position = position % #requests + 1
  local ready = prepared[position]
  if ready then
    return ready
  end
  sent = sent + 1
  local r = requests[position]
  return wrk.format(r[1], r[2], r[3], table.concat(r[4], thread_index .. "-" .. sent))
end
