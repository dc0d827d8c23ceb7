-- POST bodies in rotation under wrk, for oktaemu-load (wrk.go): the AUTHN
-- measure's password sign-ins, one user after another.
--
-- Arguments (after wrk's "--"): a file of request bodies, one per line, and
-- the request path. Requests are formatted once, in init().

local requests, i = {}, 0

function init(args)
	local headers = { ["Content-Type"] = "application/json", ["Accept"] = "application/json" }
	for body in io.lines(args[1]) do
		requests[#requests + 1] = wrk.format("POST", args[2], headers, body)
	end
end

function request()
	i = i % #requests + 1
	return requests[i]
end
