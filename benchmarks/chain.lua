-- Refresh-token rotation as a closed loop: every token is spent once, and the token each answer
-- carries is queued for a later request. The global `tokens` (one a connection, and spares) is
-- shared out between the threads; `path` and `headers` are globals too.
local threads_started = 0
local queue = {}
local head, tail = 1, 0

function setup(thread)
  thread:set("thread_index", threads_started)
  threads_started = threads_started + 1
end

function init(args)
  for i, token in ipairs(tokens) do
    if (i - 1) % THREADS == (thread_index or 0) then
      tail = tail + 1
      queue[tail] = token
    end
  end
end

function request()
  local token = "none-left"
  if head <= tail then
    token = queue[head]
    queue[head] = nil
    head = head + 1
  end
  return wrk.format("POST", path, headers, '{"refresh_token": "' .. token .. '"}')
end

function response(status, response_headers, body)
  local token = body:match('"refresh_token"%s*:%s*"([^"]+)"')
  if token then
    tail = tail + 1
    queue[tail] = token
  end
end
