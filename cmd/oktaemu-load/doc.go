// Command oktaemu-load measures oktaemu against a bare net/http baseline in
// one run, and prints ratios (absolute figures drift between runs and
// machines; ratios measured side by side do not).
//
// It starts the emulator in-process on 127.0.0.1, and beside it bare
// handlers that answer the same bytes, then drives both with vegeta
// (github.com/tsenart/vegeta, a well-kept HTTP load library) at full speed
// over a fixed number of keep-alive connections. Multi-step sign-ins are
// driven by closed-loop workers, since each step needs the previous answer.
// With -bin it also starts the oktaemu binary to time process start to the
// first 200 and to read its resident memory.
//
// Usage:
//
//	go build -o /tmp/oktaemu ./cmd/oktaemu
//	go run ./cmd/oktaemu-load -bin /tmp/oktaemu
//
// BENCHMARKS.md records the method, the targets and the latest numbers.
package main
