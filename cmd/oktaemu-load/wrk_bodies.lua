-- POST bodies in rotation under wrk, for oktaemu-load (wrk.go): the AUTHN
-- measure's password sign-ins, one user after another.
--
-- Arguments (after wrk's "--"): a file of request bodies, one per line, the
-- request path and the number of wrk threads. Requests are formatted once,
-- in init(); each thread starts at its own share of the list, so no two
-- threads send the same body at the same time.

local requests, i = {}, 0

function setup(thread)
	threads = (threads or 0) + 1
	thread:set("thread_index", threads)
end

function init(args)
	local headers = { ["Content-Type"] = "application/json", ["Accept"] = "application/json" }
	for body in io.lines(args[1]) do
		requests[#requests + 1] = wrk.format("POST", args[2], headers, body)
	end
	i = (thread_index - 1) * math.floor(#requests / tonumber(args[3]))
end

function request()
	i = i % #requests + 1
	return requests[i]
end
