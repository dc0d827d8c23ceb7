package main

import (
	"os"
	"path/filepath"
	"testing"
)

func TestGCPercent(t *testing.T) {
	for _, tc := range []struct {
		live uint64
		want int
	}{
		{0, 2000},        // nothing live yet: capped
		{4 << 20, 1600},  // the default fixture: 64 MiB of headroom
		{32 << 20, 200},  // a mid-size org
		{64 << 20, 100},  // from here on Go's default
		{300 << 20, 100}, // 100,000 users: never below the default
	} {
		if got := gcPercent(tc.live); got != tc.want {
			t.Errorf("gcPercent(%d MiB) = %d, want %d", tc.live>>20, got, tc.want)
		}
	}
}

func TestServeCPUProfile(t *testing.T) {
	clearEnv(t)
	path := filepath.Join(t.TempDir(), "cpu.pprof")
	_, stop, _ := startServe(t, "--cpuprofile", path)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// A pprof profile is gzip-compressed protobuf.
	if len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
		t.Errorf("%s is not a pprof profile (%d bytes)", path, len(b))
	}
}
