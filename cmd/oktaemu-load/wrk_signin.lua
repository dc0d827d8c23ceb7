-- MFA sign-ins under wrk, for oktaemu-load (wrk.go): authn -> MFA_REQUIRED
-- -> TOTP verify -> SUCCESS -> POST /api/v1/sessions, one user each.
--
-- Arguments (after wrk's "--"): the users file (one "login passCode" per
-- line, codes computed by oktaemu-load for the org's clock), the number of
-- wrk threads and the users' password. Thread k of n takes the users on
-- lines k, k+n, k+2n...
--
-- wrk does not say which connection an answer came on, and needs none:
-- keep-alive connections are interchangeable, so response() queues the
-- user's next step and request() sends queued steps first, then starts the
-- next user. Each connection has one call in flight, so 16 connections
-- per thread keep 16 sign-ins going, as 16 closed-loop workers would.

local threads = {}

function setup(thread)
	table.insert(threads, thread)
	thread:set("thread_index", #threads)
end

-- Per-thread globals, read by done() through thread:get.
signins, errors, exhausted, first_error = 0, 0, 0, ""

local users, codes, next_user, password = {}, {}, 1, ""
local queue, head, tail = {}, 1, 0
local headers = { ["Content-Type"] = "application/json", ["Accept"] = "application/json" }

function init(args)
	password = args[3]
	local n, i = tonumber(args[2]), 0
	for line in io.lines(args[1]) do
		local login, code = line:match("^(%S+) (%d+)$")
		if (i % n) + 1 == thread_index then
			users[#users + 1] = login
			codes[login] = code
		end
		i = i + 1
	end
end

local function push(req)
	tail = tail + 1
	queue[tail] = req
end

local function post(path, body)
	return wrk.format("POST", path, headers, body)
end

function request()
	if head <= tail then
		local req = queue[head]
		queue[head] = nil
		head = head + 1
		return req
	end
	local login = users[next_user]
	if login == nil then
		-- Out of users: the run was sized too small for this rate.
		exhausted = exhausted + 1
		return wrk.format("GET", "/.well-known/okta-organization")
	end
	next_user = next_user + 1
	return post("/api/v1/authn", '{"username":"' .. login .. '","password":"' .. password .. '"}')
end

local function fail(status, body)
	errors = errors + 1
	if first_error == "" then
		first_error = status .. " " .. body:sub(1, 300):gsub("%s+", " ")
	end
end

function response(status, _, body)
	if status ~= 200 then
		return fail(status, body)
	end
	if body:find('"status":"MFA_REQUIRED"', 1, true) then
		local state = body:match('"stateToken":"([^"]+)"')
		local verify = body:match('"verify":{"href":"https?://[^/]+(/[^"]+)"')
		local login = body:match('"login":"([^"]+)"')
		if not (state and verify and login and codes[login]) then
			return fail(status, body)
		end
		push(post(verify, '{"stateToken":"' .. state .. '","passCode":"' .. codes[login] .. '"}'))
	elseif body:find('"status":"SUCCESS"', 1, true) then
		local token = body:match('"sessionToken":"([^"]+)"')
		if not token then
			return fail(status, body)
		end
		push(post("/api/v1/sessions", '{"sessionToken":"' .. token .. '"}'))
	elseif body:find('"status":"ACTIVE"', 1, true) then
		signins = signins + 1
	elseif exhausted == 0 then
		fail(status, body)
	end
end

function done(summary, latency, requests)
	local n, e, x, first = 0, 0, 0, ""
	for _, t in ipairs(threads) do
		n, e, x = n + t:get("signins"), e + t:get("errors"), x + t:get("exhausted")
		if first == "" then
			first = t:get("first_error")
		end
	end
	io.write(string.format("oktaemu-signins %d %d %d %d\n", n, summary.duration, e, x))
	if first ~= "" then
		io.write("oktaemu-first-error ", first, "\n")
	end
end
