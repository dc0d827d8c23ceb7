// Command oktaemu-load measures oktaemu against a bare net/http baseline in
// one run, and prints ratios (absolute figures drift between runs and
// machines; ratios measured side by side do not).
//
// Each server runs in its own process, as a wrk-style measure has it: the
// emulator is the oktaemu binary serving a generated fixture file (`serve
// --fixture`), the baseline is this command re-executed as a bare net/http
// server answering the same bytes: the emulator's answer, body and header
// (Date aside: net/http writes it), for authn after decoding the same
// body. The load comes from this process: vegeta
// (github.com/tsenart/vegeta, a well-kept HTTP load library) at full speed
// over a fixed number of keep-alive connections, the two sides attacked in
// alternation; multi-step sign-ins are driven by closed-loop workers, since
// each step needs the previous answer, against the binary and against the
// same org served inside this process (as emulatortest serves a Go test).
// When wrk is installed (-wrk), the two ratios and the binary's sign-ins
// are measured again with it, in extra rows: a C client takes less of the
// shared CPU (wrk.go, Lua scripts wrk_*.lua). The binary is also timed
// from process start to the first 200, and its resident memory read. The memory
// and many-orgs measures build orgs in this process and read its heap.
//
// Usage:
//
//	go run ./cmd/oktaemu-load                     # builds the binary first
//	go run ./cmd/oktaemu-load -bin /tmp/oktaemu   # or measures this one
//
// BENCHMARKS.md records the method, the targets and the latest numbers.
package main
